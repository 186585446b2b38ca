import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import { isUpgrade } from '../http/request-scope.hook.js';

/**
 * The shape of a GraphQL-over-HTTP request, checked before Fastify's schema coercion and before Mercurius: a
 * `query` that is not a string (`{"query": 123}`) or a string that is JSON (`?query=123`) would otherwise reach
 * Mercurius's "document as JSON AST" fallback and fail inside graphql-js as an internal error. Both are 400s.
 */
export function registerGraphqlHttpGuard(fastify: FastifyInstance, path: string): void {
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (!isGraphqlOperation(request, path)) return done();
    try {
      assertOperationShape(request.method === 'GET' ? request.query : request.body, request.method === 'GET');
      done();
    } catch (error) {
      done(error as Error);
    }
  });
}

function isGraphqlOperation(request: FastifyRequest, path: string): boolean {
  // A WebSocket upgrade carries its operations in messages (an Upgrade header alone is no upgrade).
  if (isUpgrade(request)) return false;
  const [url] = request.url.split('?', 1);
  return url === path && (request.method === 'POST' || request.method === 'GET');
}

/** Throws BAD_REQUEST or GRAPHQL_PARSE_FAILED naming what is wrong with the request's parameters. */
export function assertOperationShape(params: unknown, fromQueryString: boolean): void {
  if (Array.isArray(params)) {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      'Batched operations are not supported; send one per request.',
    );
  }
  const { query, variables, operationName } = (params ?? {}) as Record<string, unknown>;
  if (typeof query !== 'string' || query.trim() === '') {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      '"query" must be a non-empty string holding a GraphQL document.',
    );
  }
  if (looksLikeJson(query)) {
    throw new MnemeError(
      ErrorCode.GRAPHQL_PARSE_FAILED,
      '"query" is not a GraphQL document (it reads as JSON); send the operation text, e.g. "{ me { tenant } }".',
    );
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    throw new MnemeError(ErrorCode.BAD_REQUEST, '"operationName" must be a string or null.');
  }
  const vars = fromQueryString && typeof variables === 'string' ? parseVariables(variables) : variables;
  if (vars !== undefined && vars !== null && (typeof vars !== 'object' || Array.isArray(vars))) {
    throw new MnemeError(ErrorCode.BAD_REQUEST, '"variables" must be a JSON object or null.');
  }
}

// No GraphQL document is also valid JSON; one that is would be taken for a pre-parsed AST.
function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function parseVariables(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new MnemeError(ErrorCode.BAD_REQUEST, '"variables" in the query string must be JSON.');
  }
}
