import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../common/call-context.js';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import type { RequestScope } from '../http/request-scope.hook.js';
import type { GuardedSocket } from '../http/socket-guard.js';

/** The GraphQL context: over HTTP the request's scope; over WebSocket the socket and its tenant. */
export interface GqlContext {
  scope?: RequestScope;
  /** The tenant the socket's `connection_init` authenticated (the socket guard closes any other). */
  wsTenant?: string;
  wsActor?: string;
  wsSocket?: GuardedSocket;
}

/** The caller's tenant; UNAUTHENTICATED when there is none. */
export function tenantOf(gql: GqlContext): string {
  const tenant = gql.scope?.tenant ?? gql.wsTenant;
  if (tenant) return tenant;
  throw new MnemeError(ErrorCode.UNAUTHENTICATED, 'No tenant on this request.');
}

const NEVER = new AbortController().signal;

/** The CallContext of an HTTP operation: tenant, the request's abort signal and trace. */
export function gqlCallContext(gql: GqlContext): CallContext {
  const tenant = tenantOf(gql);
  return {
    tenant,
    signal: gql.scope?.signal ?? NEVER,
    trace: gql.scope?.trace ?? ROOT_CONTEXT,
    actor: gql.scope?.actor ?? gql.wsActor,
  };
}
