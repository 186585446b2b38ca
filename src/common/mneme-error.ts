import { ErrorCode, httpStatusOf } from './error-codes.js';

export interface MnemeErrorOptions {
  /** Seconds after which a retry may succeed (sent as Retry-After). */
  retryAfterSeconds?: number;
  /** Structured, client-safe details (e.g. the token counts behind a CONTEXT_OVERFLOW). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** The one domain error. Its message is shown to the client, so it must say what to do about it. */
export class MnemeError extends Error {
  readonly retryAfterSeconds: number | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: MnemeErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MnemeError';
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.details = options.details;
  }

  /** graphql-js copies an original error's `extensions` onto the GraphQLError it wraps it in. */
  get extensions(): Record<string, unknown> {
    const retry = this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds };
    return { code: this.code, ...retry, ...this.details };
  }

  get httpStatus(): number {
    return httpStatusOf(this.code);
  }
}

export function isMnemeError(value: unknown): value is MnemeError {
  return value instanceof MnemeError;
}
