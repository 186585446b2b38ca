import {
  closeRedisClient,
  createRedisClient,
  isReplyError,
  type RedisClient,
  type RedisOptions,
} from '../../../engines/redis/redis-client.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import {
  WorkingMemoryStore,
  type SessionKey,
  type Turn,
  type TurnInput,
  type TurnRevision,
  type WorkingMemoryLimits,
} from './working-memory.store.js';

// Each script runs atomically inside Redis: concurrent appends from any number of servers get distinct,
// gap-free sequence numbers and never interleave. Keys are one tenant's; forgetTenant builds its keys in the
// script, which is fine on one Redis (not Redis Cluster).
const APPEND = `
local seqs = {}
for i = 4, #ARGV do
  local seq = redis.call('INCR', KEYS[2])
  redis.call('RPUSH', KEYS[1], '{"seq":' .. seq .. ',' .. string.sub(ARGV[i], 2))
  seqs[#seqs + 1] = seq
end
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[1])
return seqs`;

const FORGET_TURN = `
for _, item in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if cjson.decode(item).id == ARGV[1] then return redis.call('LREM', KEYS[1], 1, item) end
end
return 0`;

// cjson re-encodes the turn: its numbers (seq, tokens, epoch ms) are integers well within cjson's 14 digits.
const REVISE_TURN = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i, item in ipairs(items) do
  local turn = cjson.decode(item)
  if turn.id == ARGV[1] then
    turn.text = ARGV[2]
    turn.tokens = tonumber(ARGV[3])
    redis.call('LSET', KEYS[1], i - 1, cjson.encode(turn))
    return 1
  end
end
return 0`;

const FORGET_SESSION = `
local count = redis.call('LLEN', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('SREM', KEYS[3], ARGV[1])
return count`;

const FORGET_TENANT = `
local count = 0
for _, session in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local base = ARGV[1] .. session
  count = count + redis.call('LLEN', base .. ':turns')
  redis.call('DEL', base .. ':turns', base .. ':seq')
end
redis.call('DEL', KEYS[1])
return count`;

interface Scripts {
  mnemeAppend(turns: string, seq: string, index: string, ...args: (string | number)[]): Promise<number[]>;
  mnemeForgetTurn(turns: string, id: string): Promise<number>;
  mnemeReviseTurn(turns: string, id: string, text: string, tokens: number): Promise<number>;
  mnemeForgetSession(turns: string, seq: string, index: string, session: string): Promise<number>;
  mnemeForgetTenant(index: string, prefix: string): Promise<number>;
}

export type { RedisOptions };

/**
 * Working memory in Redis, shared by every server process that points at it and kept across restarts. While
 * Redis is unreachable each call fails at once with STORE_UNAVAILABLE (no offline queue that would grow
 * without bound); the client keeps reconnecting in the background, so service resumes by itself.
 */
export class RedisWorkingMemoryStore extends WorkingMemoryStore {
  readonly backend = 'redis';
  private readonly redis: RedisClient & Scripts;
  private readonly where: string;

  constructor(
    private readonly limits: WorkingMemoryLimits,
    options: RedisOptions,
  ) {
    super();
    const redis = createRedisClient(options);
    redis.defineCommand('mnemeAppend', { numberOfKeys: 3, lua: APPEND });
    redis.defineCommand('mnemeForgetTurn', { numberOfKeys: 1, lua: FORGET_TURN });
    redis.defineCommand('mnemeReviseTurn', { numberOfKeys: 1, lua: REVISE_TURN });
    redis.defineCommand('mnemeForgetSession', { numberOfKeys: 3, lua: FORGET_SESSION });
    redis.defineCommand('mnemeForgetTenant', { numberOfKeys: 1, lua: FORGET_TENANT });
    this.redis = redis as RedisClient & Scripts;
    const { hostname, port } = new URL(options.url);
    this.where = `${hostname}:${port || 6379}`;
  }

  /** Resolves when connected, or after `timeoutMs` either way (a down Redis must not block boot). */
  async ready(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      this.redis.on('ready', onReady);
    });
  }

  async append(key: SessionKey, turns: TurnInput[]): Promise<Turn[]> {
    if (turns.length === 0) return [];
    const k = this.keys(key);
    const seqs = await this.call(() =>
      this.redis.mnemeAppend(
        k.turns,
        k.seq,
        k.index,
        this.limits.ttlMs,
        this.limits.maxTurns,
        encode(key.sessionId),
        ...turns.map((turn) => JSON.stringify(turn)),
      ),
    );
    return turns.map((turn, i) => ({ ...turn, seq: seqs[i]! }));
  }

  async recent(key: SessionKey, limit: number): Promise<Turn[]> {
    if (limit <= 0) return [];
    const items = await this.call(() => this.redis.lrange(this.keys(key).turns, -limit, -1));
    return items.map((item) => JSON.parse(item) as Turn);
  }

  forgetTurn(key: SessionKey, id: string): Promise<number> {
    return this.call(() => this.redis.mnemeForgetTurn(this.keys(key).turns, id));
  }

  reviseTurn(key: SessionKey, id: string, revision: TurnRevision): Promise<number> {
    const turns = this.keys(key).turns;
    return this.call(() => this.redis.mnemeReviseTurn(turns, id, revision.text, revision.tokens));
  }

  forgetSession(key: SessionKey): Promise<number> {
    const k = this.keys(key);
    return this.call(() => this.redis.mnemeForgetSession(k.turns, k.seq, k.index, encode(key.sessionId)));
  }

  forgetTenant(tenant: string): Promise<number> {
    const prefix = tenantPrefix(tenant);
    return this.call(() => this.redis.mnemeForgetTenant(`${prefix}sessions`, `${prefix}s:`));
  }

  async ping(): Promise<void> {
    await this.call(() => this.redis.ping());
  }

  close(): Promise<void> {
    return closeRedisClient(this.redis);
  }

  private keys(key: SessionKey) {
    const prefix = tenantPrefix(key.tenant);
    const base = `${prefix}s:${encode(key.sessionId)}`;
    return { turns: `${base}:turns`, seq: `${base}:seq`, index: `${prefix}sessions` };
  }

  private async call<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      // A script or syntax error is a bug here, not an outage: let it surface as INTERNAL. Operational replies
      // (read-only replica after failover, out of memory, busy with a script, loading) are outages.
      if (isReplyError(error) && !OUTAGE_REPLY.test((error as Error).message)) throw error;
      // ioredis' own wording ("Stream isn't writeable…") means nothing to a user; say what is happening.
      const message = error instanceof Error ? error.message : String(error);
      const reason =
        this.redis.status !== 'ready' || message.includes('enableOfflineQueue')
          ? `not connected (${this.redis.status})`
          : message;
      throw new MnemeError(
        ErrorCode.STORE_UNAVAILABLE,
        `Working memory (Redis at ${this.where}) is unreachable: ${reason}. The server reconnects by itself; ` +
          'retry shortly.',
        { retryAfterSeconds: 2, details: { tier: 'working' }, cause: error },
      );
    }
  }
}

const OUTAGE_REPLY = /^(READONLY|OOM|BUSY|MASTERDOWN|LOADING|CLUSTERDOWN|TRYAGAIN|NOREPLICAS|MISCONF)\b/;

/** Key-safe: tenant and session ids never contain ':' once encoded, so no id can reach into another's keys. */
function encode(id: string): string {
  return encodeURIComponent(id);
}

function tenantPrefix(tenant: string): string {
  return `mneme:wm:${encode(tenant)}:`;
}
