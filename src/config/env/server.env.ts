import { z } from 'zod';
import { ON_UNLESS_PRODUCTION, boolFlag, int, variableDocs } from './variable-kit.js';
import { commaList } from '../comma-list.js';

// The server, its API keys and what one request may cost.

const apiKeys = commaList().transform((entries, ctx) => {
  const map = new Map<string, string>();
  for (const [index, entry] of entries.entries()) {
    const sep = entry.lastIndexOf(':');
    const key = entry.slice(0, sep);
    const tenant = entry.slice(sep + 1);
    if (sep <= 0 || !/^[A-Za-z0-9_-]{1,64}$/.test(tenant)) {
      // Named by position only: a malformed entry may be a bare secret.
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} is not key:tenant (tenant: 1-64 of A-Z a-z 0-9 _ -)`,
      });
      continue;
    }
    if (key.length < 8) {
      ctx.addIssue({
        code: 'custom',
        message: `the key for tenant "${tenant}" is shorter than 8 characters`,
      });
    }
    if (map.has(key)) ctx.addIssue({ code: 'custom', message: `a key is listed twice (tenant "${tenant}")` });
    map.set(key, tenant);
  }
  return map;
});

export const server = {
  NODE_ENV: z
    .enum(['development', 'production', 'test'])
    .default('development')
    .register(variableDocs, { meaning: '`production` turns GraphiQL and introspection off' }),
  MNEME_PORT: int(0, 65535).default(4000).register(variableDocs, { meaning: 'HTTP port' }),
  MNEME_HOST: z.string().min(1).optional().register(variableDocs, {
    meaning: 'bind address; a non-loopback address requires `MNEME_API_KEYS`',
    default: '`127.0.0.1` without keys, `0.0.0.0` with keys',
  }),
  MNEME_DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .register(variableDocs, { meaning: 'where the memory stores live' }),
  MNEME_API_KEYS: apiKeys.optional().register(variableDocs, {
    meaning:
      '`key:tenant,key:tenant`; keys ≥ 8 characters, tenants `[A-Za-z0-9_-]{1,64}`. Without keys the server ' +
      'serves one tenant, `local`, on loopback only',
  }),
  MNEME_LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])
    .default('info')
    .register(variableDocs, { meaning: '`fatal` `error` `warn` `info` `debug` `trace`' }),
  MNEME_GRAPHIQL: boolFlag.optional().register(variableDocs, {
    meaning: 'serve GraphiQL at `/graphiql`',
    default: ON_UNLESS_PRODUCTION,
  }),
  MNEME_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(120_000).register(variableDocs, {
    meaning: 'deadline of one request (streams included); past it `DEADLINE_EXCEEDED`',
  }),
  MNEME_ARCHIVE_TIMEOUT_MS: int(1000, 24 * 3_600_000)
    .default(3_600_000)
    .register(variableDocs, {
      meaning: 'deadline of a memory export or import (`/v1/memory/export`, `/v1/memory/import`)',
    }),
  MNEME_IMPORT_MAX_BYTES: int(1024, 64 * 1024 ** 3)
    .default(4 * 1024 ** 3)
    .register(variableDocs, { meaning: 'largest memory archive an import reads' }),
  MNEME_SHUTDOWN_GRACE_MS: int(0, 600_000)
    .default(10_000)
    .register(variableDocs, { meaning: 'how long SIGTERM waits for in-flight generations' }),
};

export const limits = {
  MNEME_BODY_LIMIT_BYTES: int(1024, 1024 ** 3)
    .default(16 * 1024 * 1024)
    .register(variableDocs, { meaning: 'largest request body' }),
  MNEME_GRAPHQL_MAX_DEPTH: int(2, 64).default(12).register(variableDocs, {
    meaning: 'deepest GraphQL selection accepted, counting every field (the `__schema` query is exempt)',
  }),
  MNEME_GRAPHQL_MAX_COST: int(1, 100_000_000)
    .default(10_000)
    .register(variableDocs, {
      meaning: 'cost units one GraphQL operation may spend; more is `QUERY_TOO_COMPLEX` before anything runs',
      details:
        'Each field costs 1, list fields per item, a memory tier searched 20, a media file 50, a generation 200 ' +
        'per sample; aliases are counted.',
    }),
  MNEME_GRAPHQL_MAX_TOKENS: int(100, 1_000_000).default(5000).register(variableDocs, {
    meaning: 'lexical tokens one GraphQL document may have; parsing stops past it',
  }),
  MNEME_GRAPHQL_INTROSPECTION: boolFlag.optional().register(variableDocs, {
    meaning: 'schema introspection (GraphiQL, code generators)',
    default: ON_UNLESS_PRODUCTION,
  }),
  MNEME_WS_INIT_TIMEOUT_MS: int(100, 600_000).default(3000).register(variableDocs, {
    meaning: 'a WebSocket that has not sent `connection_init` by then is closed (4408)',
  }),
  MNEME_WS_MAX_CONNECTIONS: int(1, 1_000_000)
    .default(1000)
    .register(variableDocs, { meaning: 'WebSockets the server holds; the next upgrade gets 429' }),
  MNEME_WS_MAX_CONNECTIONS_PER_KEY: int(1, 1_000_000)
    .default(64)
    .register(variableDocs, { meaning: 'WebSockets one key may hold; the next is closed with 1013' }),
  MNEME_RATE_LIMIT_REQUESTS: int(0, 100_000_000)
    .optional()
    .register(variableDocs, {
      meaning: 'requests (HTTP requests and subscriptions) per key per minute; `0` turns it off',
      details:
        'Both rate limits count in Redis when `MNEME_REDIS_URL` is set (one budget across replicas), in process ' +
        'otherwise.',
      default: '`600` with keys, off without',
    }),
  MNEME_RATE_LIMIT_TOKENS: int(0, 1_000_000_000).optional().register(variableDocs, {
    meaning: 'generated tokens per key per minute; `0` turns it off',
    default: '`100000` with keys, off without',
  }),
  MNEME_PRESSURE_MAX_RSS_BYTES: int(0, 2 ** 50)
    .optional()
    .register(variableDocs, {
      meaning: 'past it, new asks, chats and media are refused with `OVERLOADED`; `0` turns it off',
      default: '90% of the memory the process may use (cgroup limit, else RAM)',
    }),
  MNEME_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: int(0, 600_000)
    .default(1000)
    .register(variableDocs, {
      meaning:
        'the same for event-loop delay held over it for 2 s (one long block, such as a model load, is not ' +
        'overload); `0` turns it off',
    }),
};
