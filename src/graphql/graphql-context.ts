import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../common/call-context.js';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import type { RequestScope } from '../http/request-scope.hook.js';

/** The GraphQL context: over HTTP the request's scope; over WebSocket the tenant from `connection_init`. */
export interface GqlContext {
  scope?: RequestScope;
  /** Set by the subscription `onConnect` handshake. */
  wsTenant?: string;
  /** Why the handshake did not authenticate; raised by each operation on that socket. */
  wsAuthError?: Error;
}

/** The caller's tenant, or the reason there is none (UNAUTHENTICATED). */
export function tenantOf(gql: GqlContext): string {
  const tenant = gql.scope?.tenant ?? gql.wsTenant;
  if (tenant) return tenant;
  throw gql.wsAuthError ?? new MnemeError(ErrorCode.UNAUTHENTICATED, 'No tenant on this request.');
}

const NEVER = new AbortController().signal;

/** The CallContext of an HTTP operation: tenant, the request's abort signal and trace. */
export function callContextOf(gql: GqlContext): CallContext {
  const tenant = tenantOf(gql);
  return { tenant, signal: gql.scope?.signal ?? NEVER, trace: gql.scope?.trace ?? ROOT_CONTEXT };
}
