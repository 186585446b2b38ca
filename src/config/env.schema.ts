import { z } from 'zod';
import { fusionWeightsSchema } from './fusion.config.js';
import { routingPathsSchema, tenantListSchema } from './routing.config.js';
import { sloTargetsSchema } from './telemetry.config.js';

// Decimal digits only: coercion would read ' ' as 0 and '0x1F90' as 8080.
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const boolFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const apiKeys = z.string().transform((raw, ctx) => {
  const map = new Map<string, string>();
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
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

/** Every MNEME_* variable the server reads. Documented in README.md; keep the two in step. */
const onnxDtype = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4']);

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  MNEME_PORT: int(0, 65535).default(4000),
  MNEME_HOST: z.string().min(1).optional(),
  MNEME_DATA_DIR: z.string().min(1).default('./data'),
  MNEME_API_KEYS: apiKeys.optional(),
  MNEME_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  MNEME_GRAPHIQL: boolFlag.optional(),
  MNEME_BODY_LIMIT_BYTES: int(1024, 1024 ** 3).default(16 * 1024 * 1024),
  MNEME_GRAPHQL_MAX_DEPTH: int(2, 64).default(12),
  MNEME_GRAPHQL_MAX_COST: int(1, 100_000_000).default(10_000),
  MNEME_GRAPHQL_MAX_TOKENS: int(100, 1_000_000).default(5000),
  MNEME_GRAPHQL_INTROSPECTION: boolFlag.optional(),
  MNEME_WS_INIT_TIMEOUT_MS: int(100, 600_000).default(3000),
  MNEME_WS_MAX_CONNECTIONS: int(1, 1_000_000).default(1000),
  MNEME_WS_MAX_CONNECTIONS_PER_KEY: int(1, 1_000_000).default(64),
  MNEME_RATE_LIMIT_REQUESTS: int(0, 100_000_000).optional(),
  MNEME_RATE_LIMIT_TOKENS: int(0, 1_000_000_000).optional(),
  MNEME_PRESSURE_MAX_RSS_BYTES: int(0, 2 ** 50).optional(),
  MNEME_PRESSURE_MAX_EVENT_LOOP_DELAY_MS: int(0, 600_000).default(1000),
  MNEME_REQUEST_TIMEOUT_MS: int(100, 3_600_000).default(120_000),
  MNEME_SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  MNEME_MODELS_DIR: z.string().min(1).default('./models'),
  MNEME_LLM_MODEL: z.string().min(1).optional(),
  MNEME_LLM_MODEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,128}$/, 'letters, digits and . _ : / - only')
    .optional(),
  MNEME_LLM_THREADS: int(1, 256).optional(),
  MNEME_LLM_CONTEXT_SIZE: int(256, 1_048_576).default(4096),
  MNEME_LLM_PARALLEL: int(1, 64).default(2),
  MNEME_LLM_QUEUE_LIMIT: int(0, 10_000).default(32),
  MNEME_LLM_MAX_TOKENS: int(1, 131_072).default(512),
  MNEME_LLM_REMOTE_URL: z
    .url()
    .refine(
      (u) => /^https?:\/\//.test(u),
      'must be an http:// or https:// URL (the base, e.g. http://host:8080/v1)',
    )
    .optional(),
  MNEME_LLM_REMOTE_API_KEY: z.string().min(1).optional(),
  MNEME_LLM_REMOTE_MODEL: z.string().min(1).max(256).optional(),
  MNEME_LLM_REMOTE_VISION: boolFlag.default(false),
  MNEME_LLM_SYSTEM_PROMPT: z.string().default('You are Mneme, a helpful assistant. Answer concisely.'),
  MNEME_MEDIA_MAX_BYTES: int(1024, 1024 ** 3).default(25 * 1024 * 1024),
  MNEME_IMAGE_MAX_PIXELS: int(1, 1_000_000_000).default(50_000_000),
  MNEME_IMAGES_PER_REQUEST: int(1, 64).default(8),
  MNEME_AUDIO_PER_REQUEST: int(1, 64).default(2),
  MNEME_MEDIA_WORKERS: int(1, 64).optional(),
  MNEME_VISION_MODEL: z.string().min(1).optional(),
  MNEME_VISION_LABELS: z.string().min(1).optional(),
  MNEME_ASR_MODEL: z.string().min(1).optional(),
  MNEME_AUDIO_EMBEDDING_MODEL: z.string().min(1).optional(),
  MNEME_AUDIO_MAX_SECONDS: int(1, 86_400).default(600),
  MNEME_ONNX_DTYPE: onnxDtype.default('fp32'),
  MNEME_VISION_DTYPE: onnxDtype.optional(),
  MNEME_ASR_DTYPE: onnxDtype.optional(),
  MNEME_AUDIO_EMBEDDING_DTYPE: onnxDtype.optional(),
  MNEME_PERCEPTION_PRELOAD: boolFlag.default(true),
  MNEME_REDIS_URL: z
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL')
    .optional(),
  MNEME_REDIS_TIMEOUT_MS: int(50, 60_000).default(1000),
  MNEME_WORKING_MEMORY_TTL_SECONDS: int(1, 365 * 86_400).default(86_400),
  MNEME_WORKING_MEMORY_MAX_TURNS: int(2, 100_000).default(200),
  MNEME_WORKING_MEMORY_TOKENS: int(0, 1_000_000).default(1024),
  MNEME_MEMORY_DEGRADE: boolFlag.default(false),
  MNEME_EPISODIC_RECALL_ITEMS: int(0, 100).default(10),
  MNEME_EPISODIC_RECALL_TOKENS: int(0, 1_000_000).default(512),
  MNEME_EPISODIC_INDEX_THRESHOLD: int(256, 1_000_000_000).default(50_000),
  MNEME_EPISODIC_CACHE_MB: int(16, 1_000_000).default(256),
  MNEME_NEO4J_URI: z
    .url()
    .refine((u) => /^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(u), 'must be a bolt:// or neo4j:// URL')
    .optional(),
  MNEME_NEO4J_USER: z.string().min(1).default('neo4j'),
  MNEME_NEO4J_PASSWORD: z.string().optional(),
  MNEME_NEO4J_DATABASE: z.string().min(1).optional(),
  MNEME_SEMANTIC_MERGE_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6),
  MNEME_SEMANTIC_MULTI_VALUED: z.string().min(1).optional(),
  MNEME_CONSOLIDATION_INTERVAL_MS: int(0, 86_400_000).default(5000),
  MNEME_SUMMARY_MIN_TOKENS: int(0, 1_000_000).default(256),
  MNEME_SUMMARY_INPUT_TOKENS: int(64, 1_000_000).default(1536),
  MNEME_DECAY_ACTION: z.enum(['off', 'archive', 'forget']).default('archive'),
  MNEME_DECAY_HALF_LIFE_DAYS: z.coerce.number().positive().max(36_500).default(90),
  MNEME_DECAY_THRESHOLD: z.coerce.number().min(0).max(10).default(0.01),
  MNEME_DECAY_INTERVAL_MS: int(0, 86_400_000 * 7).default(3_600_000),
  MNEME_SEMANTIC_RECALL_FACTS: int(0, 200).default(20),
  MNEME_SEMANTIC_RECALL_TOKENS: int(0, 1_000_000).default(256),
  MNEME_TEXT_EMBEDDING_MODEL: z.string().min(1).optional(),
  MNEME_TEXT_EMBEDDING_DTYPE: onnxDtype.optional(),
  MNEME_AUDIO_LABELS: z.string().min(1).optional(),
  MNEME_FUSION_WEIGHTS: fusionWeightsSchema.optional(),
  MNEME_VQA_ANSWERS: z.string().min(1).optional(),
  MNEME_LABEL_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.2),
  MNEME_ROUTING_PATHS: routingPathsSchema.optional(),
  MNEME_ROUTER_MODEL: z.string().min(1).optional(),
  MNEME_ROUTER_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).default(0.5),
  MNEME_ROUTING_FORCE_TENANTS: tenantListSchema.optional(),
  MNEME_ROUTING_STEP_DOWN_TENANTS: tenantListSchema.optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_METRIC_EXPORT_INTERVAL: int(100, 3_600_000).default(15_000),
  MNEME_TELEMETRY: boolFlag.default(true),
  MNEME_METRICS: boolFlag.default(true),
  MNEME_SLO_TARGETS: sloTargetsSchema.optional(),
  MNEME_SLO_WINDOW_SECONDS: int(10, 86_400).default(300),
  MNEME_SLO_MIN_SAMPLES: int(1, 1_000_000).default(20),
  MNEME_SLO_ALERT_FACTOR: z.coerce.number().min(1).max(100).default(2),
  MNEME_SLO_ALERT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.05),
  MNEME_SLO_ALERT_QUEUE_DEPTH: int(1, 1_000_000).optional(),
  MNEME_SLO_CHECK_MS: int(100, 3_600_000).default(5000),
  MNEME_SLO_SHED_FAST: z.string().default('memory.semantic,memory.episodic'),
  OTEL_SERVICE_NAME: z.string().min(1).default('mneme'),
});

export type Env = z.infer<typeof envSchema>;
