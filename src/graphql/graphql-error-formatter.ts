import { GraphQLError, type ExecutionResult, type GraphQLFormattedError } from 'graphql';
import { ErrorCode } from '../common/error-codes.js';
import { isMnemeError, type MnemeError } from '../common/mneme-error.js';
import { fromHttpException } from '../http/all-exceptions.filter.js';
import { toClientError } from '../http/error-response.js';

export interface FormattedGraphQLResult {
  statusCode: number;
  response: { data?: ExecutionResult['data']; errors: GraphQLFormattedError[] };
}

/**
 * The one GraphQL error formatter: every error leaves with `extensions.code` and the trace id; domain errors keep
 * their message, parse/validation errors say what is wrong with the document, anything else is generic.
 * GraphQL-over-HTTP status: a request that could not run at all is 4xx; errors while executing keep 200.
 */
export function formatGraphQLErrors(
  execution: ExecutionResult & { errors: readonly GraphQLError[] },
  traceId: string | undefined,
  log: (error: unknown) => void,
): FormattedGraphQLResult {
  let requestStatus: number | undefined;
  const errors: GraphQLFormattedError[] = [];
  for (const error of execution.errors) {
    const original: unknown = error.originalError;
    const nested = nestedErrors(original);
    if (nested) {
      requestStatus = 400;
      for (const inner of nested) errors.push(documentError(inner, traceId));
      continue;
    }
    // No path: the document or its variables failed before execution (graphql-js wraps variable coercion errors).
    if (error.path === undefined && (!original || original instanceof GraphQLError)) {
      requestStatus = 400;
      errors.push(documentError(error, traceId));
      continue;
    }
    let domain: MnemeError;
    if (isMnemeError(original)) {
      domain = original;
      // Refused before execution (cost, rate, pressure): the request as a whole gets the code's status.
      if (error.path === undefined) requestStatus = domain.httpStatus;
    } else {
      const mapped = fromHttpException(original ?? error);
      if (isMnemeError(mapped)) requestStatus = mapped.httpStatus;
      else log(original ?? error);
      domain = toClientError(mapped, traceId);
    }
    errors.push({
      message: domain.message,
      locations: error.locations,
      path: error.path,
      extensions: { ...domain.extensions, traceId },
    });
  }
  const statusCode = requestStatus !== undefined && execution.data == null ? requestStatus : 200;
  return { statusCode, response: { data: execution.data, errors } };
}

/** Mercurius reports a document that failed validation (or depth limits) as one error wrapping the list. */
function nestedErrors(original: unknown): GraphQLError[] | undefined {
  const list: unknown = (original as { errors?: unknown } | undefined)?.errors;
  return Array.isArray(list) ? (list as GraphQLError[]) : undefined;
}

function documentError(error: GraphQLError, traceId: string | undefined): GraphQLFormattedError {
  const tokens = TOKEN_LIMIT.exec(error.message);
  if (tokens) {
    return {
      message:
        `The document has more than ${tokens[1]} tokens (MNEME_GRAPHQL_MAX_TOKENS); parsing stopped. ` +
        'Send a smaller operation, or fewer aliases.',
      extensions: { code: ErrorCode.QUERY_TOO_COMPLEX, limit: Number(tokens[1]), traceId },
    };
  }
  const code = error.message.startsWith('Syntax Error')
    ? ErrorCode.GRAPHQL_PARSE_FAILED
    : ErrorCode.GRAPHQL_VALIDATION_FAILED;
  return { message: error.message, locations: error.locations, extensions: { code, traceId } };
}

// graphql-js's wording (sic), when a document passes the parser's maxTokens.
const TOKEN_LIMIT = /Document contains more th\w+ (\d+) tokens/;
