import { Redis } from 'ioredis';
import { ErrorCode } from '../../src/common/error-codes.js';
import { MnemeError } from '../../src/common/mneme-error.js';
import { InProcessWorkingMemoryStore } from '../../src/modules/memory/working/in-process-working-memory.store.js';
import { RedisWorkingMemoryStore } from '../../src/modules/memory/working/redis-working-memory.store.js';
import type {
  TurnInput,
  TurnRole,
  WorkingMemoryLimits,
  WorkingMemoryStore,
} from '../../src/modules/memory/working/working-memory.store.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

const stores: WorkingMemoryStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const LIMITS: WorkingMemoryLimits = { ttlMs: 60_000, maxTurns: 500 };
let sessionCounter = 0;
const freshSession = () => `s-${Date.now()}-${sessionCounter++}`;

function turn(text: string, role: TurnRole = 'user'): TurnInput {
  return { id: `id-${text}`, role, text, tokens: text.length, createdAt: Date.now() };
}

async function redisStore(limits = LIMITS): Promise<RedisWorkingMemoryStore> {
  const store = new RedisWorkingMemoryStore(limits, { url: redis.url, timeoutMs: 500 });
  stores.push(store);
  expect(await store.ready(5000)).toBe(true);
  return store;
}

function inProcessStore(limits = LIMITS): Promise<WorkingMemoryStore> {
  const store = new InProcessWorkingMemoryStore(limits);
  stores.push(store);
  return Promise.resolve(store);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['in-process', inProcessStore],
  ['redis', redisStore],
])('working memory contract: %s', (_name, make) => {
  it('returns appended turns oldest first with increasing sequence numbers', async () => {
    const store = await make();
    const key = { tenant: 'alice', sessionId: freshSession() };
    const stored = await store.append(key, [turn('a'), turn('b', 'assistant')]);
    expect(stored.map((t) => t.seq)).toEqual([1, 2]);
    await store.append(key, [turn('c')]);
    const recent = await store.recent(key, 10);
    expect(recent.map((t) => [t.seq, t.text, t.role])).toEqual([
      [1, 'a', 'user'],
      [2, 'b', 'assistant'],
      [3, 'c', 'user'],
    ]);
    expect(recent[0]).toMatchObject({ id: 'id-a', tokens: 1 });
    expect((await store.recent(key, 2)).map((t) => t.text)).toEqual(['b', 'c']);
  });

  it('loses and reorders nothing under 100 concurrent appends to one session', async () => {
    const store = await make();
    const key = { tenant: 'alice', sessionId: freshSession() };
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => store.append(key, [turn(`m${i}`)])),
    );
    const recent = await store.recent(key, 1000);
    expect(recent).toHaveLength(100);
    expect(recent.map((t) => t.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Issued in order on one connection, so stored in that order.
    expect(recent.map((t) => t.text)).toEqual(Array.from({ length: 100 }, (_, i) => `m${i}`));
    expect(new Set(results.map(([t]) => t!.seq)).size).toBe(100);
  });

  it('keeps each multi-turn append contiguous when appends race', async () => {
    const store = await make();
    const key = { tenant: 'alice', sessionId: freshSession() };
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.append(key, [turn(`q${i}`), turn(`a${i}`, 'assistant')])),
    );
    const recent = await store.recent(key, 1000);
    expect(recent).toHaveLength(100);
    for (let i = 0; i < 100; i += 2) {
      expect(recent[i + 1]!.text).toBe(`a${recent[i]!.text.slice(1)}`);
    }
  });

  it('keeps only the newest maxTurns turns', async () => {
    const store = await make({ ttlMs: 60_000, maxTurns: 3 });
    const key = { tenant: 'alice', sessionId: freshSession() };
    for (const text of ['1', '2', '3', '4', '5']) await store.append(key, [turn(text)]);
    expect((await store.recent(key, 10)).map((t) => [t.seq, t.text])).toEqual([
      [3, '3'],
      [4, '4'],
      [5, '5'],
    ]);
  });

  it('expires a session ttl after its last append, and an append extends it', async () => {
    const store = await make({ ttlMs: 400, maxTurns: 10 });
    const key = { tenant: 'alice', sessionId: freshSession() };
    await store.append(key, [turn('x')]);
    await sleep(250);
    await store.append(key, [turn('y')]);
    await sleep(250); // 500 ms after the first append, 250 ms after the last
    expect((await store.recent(key, 10)).map((t) => t.text)).toEqual(['x', 'y']);
    await sleep(300);
    expect(await store.recent(key, 10)).toEqual([]);
    // A new conversation under the same id starts over.
    expect((await store.append(key, [turn('z')]))[0]!.seq).toBe(1);
  });

  it('walls tenants off: the same session id under another tenant is another session', async () => {
    const store = await make();
    const sessionId = freshSession();
    await store.append({ tenant: 'alice', sessionId }, [turn('secret')]);
    expect(await store.recent({ tenant: 'bob', sessionId }, 10)).toEqual([]);
    expect(await store.forgetSession({ tenant: 'bob', sessionId })).toBe(0);
    expect(await store.forgetTenant('bob')).toBe(0);
    expect((await store.recent({ tenant: 'alice', sessionId }, 10)).map((t) => t.text)).toEqual(['secret']);
  });

  it('forgets one turn, a session, or a whole tenant, answering how many turns went', async () => {
    const store = await make();
    const [s1, s2] = [freshSession(), freshSession()];
    const tenant = `t-${freshSession()}`;
    await store.append({ tenant, sessionId: s1 }, [turn('a'), turn('b', 'assistant'), turn('c')]);
    await store.append({ tenant, sessionId: s2 }, [turn('d'), turn('e', 'assistant')]);
    await store.append({ tenant: 'other', sessionId: s1 }, [turn('kept')]);

    expect(await store.forgetTurn({ tenant, sessionId: s1 }, 'id-b')).toBe(1);
    expect(await store.forgetTurn({ tenant, sessionId: s1 }, 'id-b')).toBe(0);
    expect((await store.recent({ tenant, sessionId: s1 }, 10)).map((t) => t.text)).toEqual(['a', 'c']);

    expect(await store.forgetSession({ tenant, sessionId: s2 })).toBe(2);
    expect(await store.recent({ tenant, sessionId: s2 }, 10)).toEqual([]);

    await store.append({ tenant, sessionId: s2 }, [turn('f')]);
    expect(await store.forgetTenant(tenant)).toBe(3);
    expect(await store.recent({ tenant, sessionId: s1 }, 10)).toEqual([]);
    expect(await store.recent({ tenant, sessionId: s2 }, 10)).toEqual([]);
    expect((await store.recent({ tenant: 'other', sessionId: s1 }, 10)).map((t) => t.text)).toEqual(['kept']);
  });

  it('revises one turn in place: new words and tokens, same place and sequence; another tenant’s is untouched', async () => {
    const store = await make();
    const key = { tenant: 'alice', sessionId: freshSession() };
    const stored = await store.append(key, [turn('a'), turn('b', 'assistant'), turn('c')]);
    await store.append({ tenant: 'bob', sessionId: key.sessionId }, [turn('b')]);
    const words = 'b, with "quotes" and ünïcode';
    expect(await store.reviseTurn(key, 'id-b', { text: words, tokens: 7 })).toBe(1);
    expect(await store.reviseTurn(key, 'id-none', { text: 'x', tokens: 1 })).toBe(0);
    const recent = await store.recent(key, 10);
    expect(recent.map((t) => [t.text, t.seq])).toEqual([
      ['a', 1],
      [words, 2],
      ['c', 3],
    ]);
    expect(recent[1]).toEqual({ ...stored[1], text: words, tokens: 7 });
    expect((await store.recent({ tenant: 'bob', sessionId: key.sessionId }, 10))[0]!.text).toBe('b');
  });

  it('keeps ids with separators apart (pairs whose raw keys would collide)', async () => {
    const store = await make();
    const base = freshSession();
    // Unencoded, both would be …:a:s:x:s:<base>.
    await store.append({ tenant: 'a:s:x', sessionId: base }, [turn('one')]);
    await store.append({ tenant: 'a', sessionId: `x:s:${base}` }, [turn('two')]);
    expect((await store.recent({ tenant: 'a:s:x', sessionId: base }, 10)).map((t) => t.text)).toEqual([
      'one',
    ]);
    expect((await store.recent({ tenant: 'a', sessionId: `x:s:${base}` }, 10)).map((t) => t.text)).toEqual([
      'two',
    ]);
    expect(await store.forgetTenant('a')).toBe(1);
    expect((await store.recent({ tenant: 'a:s:x', sessionId: base }, 10)).map((t) => t.text)).toEqual([
      'one',
    ]);
  });
});

describe('working memory on Redis: durability and outages', () => {
  it('survives a server restart: a new client sees every turn', async () => {
    const key = { tenant: 'alice', sessionId: freshSession() };
    const first = await redisStore();
    await first.append(key, [turn('before restart'), turn('reply', 'assistant')]);
    await first.close();
    const second = await redisStore();
    expect((await second.recent(key, 10)).map((t) => t.text)).toEqual(['before restart', 'reply']);
    expect((await second.append(key, [turn('after')]))[0]!.seq).toBe(3);
  });

  it('fails fast with STORE_UNAVAILABLE while Redis is down, then recovers by itself', async () => {
    const store = await redisStore();
    const key = { tenant: 'alice', sessionId: freshSession() };
    await store.append(key, [turn('up')]);
    await redis.stop();
    try {
      const started = Date.now();
      const error = await store.append(key, [turn('down')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MnemeError);
      expect((error as MnemeError).code).toBe(ErrorCode.STORE_UNAVAILABLE);
      expect((error as MnemeError).message).toMatch(
        /Redis at 127\.0\.0\.1:\d+\) is unreachable: not connected.*retry shortly/,
      );
      expect(Date.now() - started).toBeLessThan(2000);
      await expect(store.ping()).rejects.toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
    } finally {
      await redis.start();
    }
    // No restart of ours: the client reconnects on its own.
    const deadline = Date.now() + 10_000;
    let recovered = false;
    while (!recovered && Date.now() < deadline) {
      recovered = await store.append(key, [turn('back')]).then(
        () => true,
        () => false,
      );
      if (!recovered) await sleep(100);
    }
    expect(recovered).toBe(true);
    expect((await store.recent(key, 10)).map((t) => t.text)).toContain('back');
  });

  it('answers STORE_UNAVAILABLE when Redis refuses writes (out of memory), not INTERNAL', async () => {
    const store = await redisStore();
    const admin = new Redis(redis.url);
    try {
      await admin.config('SET', 'maxmemory', '1');
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      const error = await store
        .append({ tenant: 'alice', sessionId: freshSession() }, [turn('x')])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.STORE_UNAVAILABLE });
      expect((error as Error).message).toContain('OOM');
    } finally {
      await admin.config('SET', 'maxmemory', '0');
      await admin.quit();
    }
    await store.append({ tenant: 'alice', sessionId: freshSession() }, [turn('y')]);
  });
});
