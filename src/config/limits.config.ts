import os from 'node:os';
import type { Env } from './env.schema.js';

/** What one caller, one request or one socket may spend, and when the whole server stops taking heavy work. */
export interface LimitsConfig {
  graphql: {
    /** Cost units one operation may spend (query cost analysis, aliases counted). */
    maxCost: number;
    /** Lexical tokens one document may have; parsing stops past it. */
    maxTokens: number;
    /** Schema introspection (GraphiQL, codegen); off in production unless enabled. */
    introspection: boolean;
  };
  sockets: {
    /** A socket that has not sent connection_init by then is closed (graphql-ws code 4408). */
    initTimeoutMs: number;
    maxTotal: number;
    maxPerKey: number;
  };
  /** On by default with API keys (tenants share the server); off in single-tenant local mode. */
  rate: {
    /** Requests (HTTP requests and subscriptions) per key per minute; 0: unlimited. */
    requestsPerMinute: number;
    /** Generated tokens per key per minute; 0: unlimited. */
    tokensPerMinute: number;
  };
  pressure: {
    /** Resident memory past which new heavy work is refused; 0: never. */
    maxRssBytes: number;
    /** Event-loop delay past which new heavy work is refused; 0: never. */
    maxEventLoopDelayMs: number;
  };
}

// Past 90% of what the process may use (its cgroup's limit in a container, else the machine's RAM), new heavy
// work is refused: a request turned away beats a process killed for memory with everything in flight.
function defaultMaxRss(): number {
  const limit = process.constrainedMemory();
  const usable = limit > 0 && limit < os.totalmem() ? limit : os.totalmem();
  return Math.floor(usable * 0.9);
}

export function limitsConfigFrom(e: Env, production: boolean, multiTenant: boolean): LimitsConfig {
  return {
    graphql: {
      maxCost: e.MNEME_GRAPHQL_MAX_COST,
      maxTokens: e.MNEME_GRAPHQL_MAX_TOKENS,
      introspection: e.MNEME_GRAPHQL_INTROSPECTION ?? !production,
    },
    sockets: {
      initTimeoutMs: e.MNEME_WS_INIT_TIMEOUT_MS,
      maxTotal: e.MNEME_WS_MAX_CONNECTIONS,
      maxPerKey: e.MNEME_WS_MAX_CONNECTIONS_PER_KEY,
    },
    rate: {
      requestsPerMinute: e.MNEME_RATE_LIMIT_REQUESTS ?? (multiTenant ? 600 : 0),
      tokensPerMinute: e.MNEME_RATE_LIMIT_TOKENS ?? (multiTenant ? 100_000 : 0),
    },
    pressure: {
      maxRssBytes: e.MNEME_PRESSURE_MAX_RSS_BYTES ?? defaultMaxRss(),
      maxEventLoopDelayMs: e.MNEME_PRESSURE_MAX_EVENT_LOOP_DELAY_MS,
    },
  };
}
