import { ErrorCode } from '../../src/common/error-codes.js';
import {
  closeRedisClient,
  createRedisClient,
  type RedisClient,
} from '../../src/engines/redis/redis-client.js';
import { RateLimits } from '../../src/engines/rate-limit/rate-limits.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';

// Per-key limits in a real Redis: two server processes ("replicas") share one budget per key, keys are walls,
// and a Redis outage falls back to counting in each process instead of refusing everyone.

let redis: RedisProcess;
const clients: RedisClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => closeRedisClient(c)));
  await redis.stop();
});

async function replica(requestsPerMinute: number, tokensPerMinute = 0): Promise<RateLimits> {
  const client = createRedisClient({ url: redis.url, timeoutMs: 500 });
  clients.push(client);
  await new Promise<void>((resolve) =>
    client.status === 'ready' ? resolve() : client.once('ready', resolve),
  );
  return new RateLimits({ requestsPerMinute, tokensPerMinute }, client);
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

async function refusal(fn: () => Promise<void>): Promise<{ code: string; retryAfterSeconds?: number }> {
  try {
    await fn();
  } catch (error) {
    return error as { code: string; retryAfterSeconds?: number };
  }
  throw new Error('expected RATE_LIMITED');
}

describe('rate limits in Redis', () => {
  it('counts one budget per key across replicas, and keeps keys apart', async () => {
    const [a, b] = [await replica(5), await replica(5)];
    for (const server of [a, b, a, b, a]) await server.admitRequest('alice');
    const refused = await refusal(() => b.admitRequest('alice'));
    expect(refused.code).toBe(ErrorCode.RATE_LIMITED);
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    await expect(a.admitRequest('bob')).resolves.toBeUndefined();
  });

  it('charges generated tokens after the fact and refuses the next generation once they are spent', async () => {
    const [a, b] = [await replica(0, 100), await replica(0, 100)];
    await a.assertTokensLeft('carol');
    await a.chargeTokens('carol', 60);
    await b.assertTokensLeft('carol');
    await b.chargeTokens('carol', 60);
    expect((await refusal(() => a.assertTokensLeft('carol'))).code).toBe(ErrorCode.RATE_LIMITED);
    await expect(b.assertTokensLeft('dave')).resolves.toBeUndefined();
  });

  it('keeps limiting in process while Redis is down, and shares the budget again once it is back', async () => {
    const a = await replica(3);
    await redis.stop();
    for (let i = 0; i < 3; i++) await a.admitRequest('erin');
    expect((await refusal(() => a.admitRequest('erin'))).code).toBe(ErrorCode.RATE_LIMITED);
    await redis.start();
    await until(() => clients[clients.length - 1]!.status === 'ready');
    const b = await replica(3);
    // Back in Redis: two replicas share frank's three requests again.
    for (const server of [a, b, a]) await server.admitRequest('frank');
    expect((await refusal(() => b.admitRequest('frank'))).code).toBe(ErrorCode.RATE_LIMITED);
  });
});
