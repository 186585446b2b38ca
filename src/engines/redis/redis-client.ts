import { Redis, ReplyError } from 'ioredis';

// The only file that imports ioredis (docs/conventions.md rule 1).

export type RedisClient = Redis;

export interface RedisOptions {
  url: string;
  /** Per-command timeout; a slower Redis counts as unavailable. */
  timeoutMs: number;
  onError?: (error: Error) => void;
  onReady?: () => void;
}

/**
 * A Redis connection that fails each command at once while Redis is unreachable (no offline queue that would
 * grow without bound) and keeps reconnecting in the background, so service resumes by itself.
 */
export function createRedisClient(options: RedisOptions): RedisClient {
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.timeoutMs,
    connectTimeout: Math.max(options.timeoutMs, 1000),
    retryStrategy: (attempt) => Math.min(100 * 2 ** attempt, 2000),
    lazyConnect: false,
    // A command sent just before a drop may have run; resending it after reconnect could append twice.
    autoResendUnfulfilledCommands: false,
  });
  redis.on('error', (error: Error) => options.onError?.(error));
  redis.on('ready', () => options.onReady?.());
  return redis;
}

/** A reply Redis gave (a script or syntax error, or an operational one such as READONLY), not a lost connection. */
export function isReplyError(error: unknown): boolean {
  return error instanceof ReplyError;
}

/** Quits politely when connected, drops the socket otherwise. */
export async function closeRedisClient(redis: RedisClient): Promise<void> {
  if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
  else redis.disconnect();
}
