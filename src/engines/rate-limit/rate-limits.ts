import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { LimitsConfig } from '../../config/limits.config.js';
import type { RedisClient } from '../redis/redis-client.js';
import { KeyedLimiter, type WindowState } from './rate-limiter.adapter.js';

const WINDOW_SECONDS = 60;

/**
 * Per-key limits, per minute: requests (each HTTP request and each subscription) and generated tokens. A key
 * over either gets RATE_LIMITED (429) with Retry-After; a request never answers differently for a key that is
 * under them. In Redis when it is configured, so every replica counts against one budget.
 */
export class RateLimits {
  private readonly requests: KeyedLimiter | undefined;
  private readonly tokens: KeyedLimiter | undefined;

  constructor(
    private readonly config: LimitsConfig['rate'],
    redis?: RedisClient,
  ) {
    const limiter = (name: string, points: number) =>
      points > 0 ? new KeyedLimiter({ name, points, windowSeconds: WINDOW_SECONDS, redis }) : undefined;
    this.requests = limiter('requests', config.requestsPerMinute);
    this.tokens = limiter('tokens', config.tokensPerMinute);
  }

  /** Counts one request for the tenant; throws RATE_LIMITED when it is over its requests per minute. */
  async admitRequest(tenant: string): Promise<void> {
    const over = await this.requests?.spend(tenant);
    if (over) throw limited('requests', this.config.requestsPerMinute, over, 'MNEME_RATE_LIMIT_REQUESTS');
  }

  /** Before generating: throws RATE_LIMITED when the tenant spent its tokens for this minute. */
  async assertTokensLeft(tenant: string): Promise<void> {
    const state = await this.tokens?.state(tenant);
    if (state && state.spent >= this.config.tokensPerMinute)
      throw limited('generated tokens', this.config.tokensPerMinute, state, 'MNEME_RATE_LIMIT_TOKENS');
  }

  /** After generating: the tokens count against the tenant's minute. */
  async chargeTokens(tenant: string, tokens: number): Promise<void> {
    await this.tokens?.charge(tenant, tokens);
  }
}

function limited(what: string, limit: number, state: WindowState, variable: string): MnemeError {
  const retryAfterSeconds = Math.max(1, Math.ceil(state.resetsInMs / 1000));
  return new MnemeError(
    ErrorCode.RATE_LIMITED,
    `This key is over its ${limit} ${what} per minute (${variable}); retry in ${retryAfterSeconds} s.`,
    { retryAfterSeconds, details: { limit, window: 'minute' } },
  );
}
