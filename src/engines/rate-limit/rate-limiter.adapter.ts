import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { RedisClient } from '../redis/redis-client.js';

// The only file that imports rate-limiter-flexible (docs/conventions.md rule 1).

export interface WindowState {
  /** Points spent in the current window. */
  spent: number;
  /** Milliseconds until the window resets. */
  resetsInMs: number;
}

/** A per-key budget of points per window: in Redis when given (shared by every replica), else in this process. */
export class KeyedLimiter {
  private readonly limiter: RateLimiterMemory | RateLimiterRedis;

  constructor(options: { name: string; points: number; windowSeconds: number; redis?: RedisClient }) {
    const base = {
      keyPrefix: `mneme:rl:${options.name}`,
      points: options.points,
      duration: options.windowSeconds,
    };
    this.limiter = options.redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: options.redis,
          // While Redis is unreachable each replica counts alone rather than refusing everyone.
          insuranceLimiter: new RateLimiterMemory(base),
        })
      : new RateLimiterMemory(base);
  }

  /** Spends `points`; answers undefined, or the state of a window the spend would overrun. */
  async spend(key: string, points = 1): Promise<WindowState | undefined> {
    try {
      await this.limiter.consume(key, points);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return stateOf(rejection);
      throw rejection;
    }
  }

  /** Adds points after the fact (tokens are known once generated), never refusing. */
  async charge(key: string, points: number): Promise<void> {
    if (points > 0) await this.limiter.penalty(key, points);
  }

  async state(key: string): Promise<WindowState | undefined> {
    const result = await this.limiter.get(key);
    return result ? stateOf(result) : undefined;
  }
}

function stateOf(result: RateLimiterRes): WindowState {
  return { spent: result.consumedPoints, resetsInMs: result.msBeforeNext };
}
