import type { Context as OtelContext } from '@opentelemetry/api';

export const LOCAL_TENANT = 'local';

/**
 * What every request carries into the rooms it touches: who is asking, when to give up, and where its trace
 * lives. Passed explicitly (not through async-local state) so a missing tenant is a compile error.
 */
export interface CallContext {
  readonly tenant: string;
  /** Aborts on client disconnect, deadline or shutdown. */
  readonly signal: AbortSignal;
  /** The request's trace context; spans of this call are its children. */
  readonly trace: OtelContext;
  /**
   * Who asked: "key:" and the first 12 hex digits of the API key's SHA-256 (never the key), "local" on a keyless
   * server; undefined for the server's own background work.
   */
  readonly actor?: string;
}
