/** Every error a client can see carries one of these codes (GraphQL `extensions.code`, REST `error.code`). */
export enum ErrorCode {
  BAD_REQUEST = 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  /** The operation costs more than the per-request budget, or repeats a capped field. */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  /** The request contradicts the record's state (e.g. retracting a fact already retired). */
  CONFLICT = 'CONFLICT',
  MODEL_NOT_FOUND = 'MODEL_NOT_FOUND',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  BAD_IMAGE = 'BAD_IMAGE',
  BAD_AUDIO = 'BAD_AUDIO',
  AUDIO_TOO_LONG = 'AUDIO_TOO_LONG',
  CONTEXT_OVERFLOW = 'CONTEXT_OVERFLOW',
  CANCELLED = 'CANCELLED',
  OVERLOADED = 'OVERLOADED',
  /** The caller's key spent its requests or tokens for this minute. */
  RATE_LIMITED = 'RATE_LIMITED',
  DEADLINE_EXCEEDED = 'DEADLINE_EXCEEDED',
  MODEL_UNAVAILABLE = 'MODEL_UNAVAILABLE',
  STORE_UNAVAILABLE = 'STORE_UNAVAILABLE',
  SHUTTING_DOWN = 'SHUTTING_DOWN',
  INTERNAL = 'INTERNAL',
}

/** The HTTP status a code maps to; the switch is exhaustive so a new code cannot be forgotten. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BAD_REQUEST:
    case ErrorCode.GRAPHQL_PARSE_FAILED:
    case ErrorCode.GRAPHQL_VALIDATION_FAILED:
    case ErrorCode.QUERY_TOO_COMPLEX:
    case ErrorCode.CONTEXT_OVERFLOW:
      return 400;
    case ErrorCode.UNAUTHENTICATED:
      return 401;
    case ErrorCode.FORBIDDEN:
      return 403;
    case ErrorCode.NOT_FOUND:
    case ErrorCode.MODEL_NOT_FOUND:
      return 404;
    case ErrorCode.CONFLICT:
      return 409;
    case ErrorCode.PAYLOAD_TOO_LARGE:
    case ErrorCode.AUDIO_TOO_LONG:
      return 413;
    case ErrorCode.UNSUPPORTED_MEDIA_TYPE:
      return 415;
    case ErrorCode.BAD_IMAGE:
    case ErrorCode.BAD_AUDIO:
      return 422;
    case ErrorCode.OVERLOADED:
    case ErrorCode.RATE_LIMITED:
      return 429;
    case ErrorCode.CANCELLED:
      return 499;
    case ErrorCode.INTERNAL:
      return 500;
    case ErrorCode.MODEL_UNAVAILABLE:
    case ErrorCode.STORE_UNAVAILABLE:
    case ErrorCode.SHUTTING_DOWN:
      return 503;
    case ErrorCode.DEADLINE_EXCEEDED:
      return 504;
  }
}
