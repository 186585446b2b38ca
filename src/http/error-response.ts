import { ErrorCode } from '../common/error-codes.js';
import { MnemeError, isMnemeError } from '../common/mneme-error.js';

export interface ErrorBody {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Any thrown value as a client-safe MnemeError: unknown errors become a generic INTERNAL naming the trace. */
export function toClientError(error: unknown, traceId: string | undefined): MnemeError {
  if (isMnemeError(error)) return error;
  return new MnemeError(
    ErrorCode.INTERNAL,
    `Internal error${traceId ? ` (trace ${traceId})` : ''}; the server logged the details.`,
  );
}

/**
 * The one REST error shape per surface: OpenAI's `{ error: { message, type, code } }` under /v1 (its clients
 * parse that), GraphQL's `{ errors: [...] }` on /graphql, and `{ error: { code, message } }` elsewhere.
 */
export function errorResponse(url: string, error: MnemeError, traceId: string | undefined): ErrorBody {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  const status = error.httpStatus;
  if (url.startsWith('/graphql')) {
    return {
      status,
      headers,
      body: {
        errors: [{ message: error.message, extensions: { code: error.code, traceId, ...error.details } }],
      },
    };
  }
  if (url.startsWith('/v1')) {
    return {
      status,
      headers,
      body: {
        error: { message: error.message, type: openAiType(status), code: error.code, param: null, traceId },
      },
    };
  }
  return { status, headers, body: { error: { code: error.code, message: error.message, traceId } } };
}

function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
