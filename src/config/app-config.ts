import os from 'node:os';
import path from 'node:path';
import { splitCommaList } from './comma-list.js';
import { envSchema, type Env } from './env.schema.js';
import { fusionConfigFrom, type FusionConfig } from './fusion.config.js';
import { limitsConfigFrom, type LimitsConfig } from './limits.config.js';
import { llmConfigFrom, type LlmConfig } from './llm.config.js';
import { memoryConfigFrom, type MemoryConfig } from './memory.config.js';
import { routingConfigFrom, type RoutingConfig } from './routing.config.js';
import { telemetryConfigFrom, type TelemetryConfig } from './telemetry.config.js';

export type { LlmConfig, LlmModelEntry, PromptCacheConfig, RemoteLlmConfig } from './llm.config.js';

export interface ServerConfig {
  port: number;
  host: string;
  production: boolean;
  graphiql: boolean;
  bodyLimitBytes: number;
  graphqlMaxDepth: number;
  requestTimeoutMs: number;
  /** Memory exports and imports: their deadline and the largest archive read. */
  archive: { timeoutMs: number; maxImportBytes: number };
  shutdownGraceMs: number;
  logLevel: Env['MNEME_LOG_LEVEL'];
  dataDir: string;
}

export interface AuthConfig {
  /** API key → tenant. Empty: single-tenant local mode, loopback only. */
  apiKeys: ReadonlyMap<string, string>;
}

export type OnnxDtype = Env['MNEME_ONNX_DTYPE'];

export interface PerceptionConfig {
  maxMediaBytes: number;
  maxImagePixels: number;
  imagesPerRequest: number;
  audioPerRequest: number;
  /** Worker threads that decode and resample audio off the event loop. */
  mediaWorkers: number;
  /** A transformers.js model folder (CLIP family); undefined means "discover". */
  visionModel: string | undefined;
  /** Zero-shot labels used when a request names none. */
  labels: string[];
  /** transformers.js speech-to-text model folder (Whisper or a CTC model); undefined means "discover". */
  asrModel: string | undefined;
  /** transformers.js CLAP-family model folder; undefined means "discover". */
  audioEmbeddingModel: string | undefined;
  maxAudioSeconds: number;
  /**
   * Which ONNX weights each model folder loads: fp32 `<name>.onnx`, or a variant such as q8
   * `<name>_quantized.onnx`. Per model, because quantization helps some (speech) and hurts others.
   */
  dtype: { vision: OnnxDtype; asr: OnnxDtype; audioEmbedding: OnnxDtype };
  /** Load perception models at boot (true) or at first use. */
  preload: boolean;
}

/** The validated configuration, one typed section per area. Injected as a class token. */
export class AppConfig {
  constructor(
    readonly server: ServerConfig,
    readonly auth: AuthConfig,
    readonly llm: LlmConfig,
    readonly perception: PerceptionConfig,
    readonly telemetry: TelemetryConfig,
    readonly memory: MemoryConfig,
    readonly routing: RoutingConfig,
    readonly fusion: FusionConfig,
    readonly limits: LimitsConfig,
  ) {}
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration — fix these environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const DEFAULT_LABELS = splitCommaList(
  'a person,a group of people,a dog,a cat,a bird,a car,a bicycle,a building,a street,a landscape,a beach,' +
    'a mountain,a forest,food,a document,a screenshot,a chart,a diagram,text,an animal,a plant,a flower,' +
    'furniture,a room,a computer,a phone,a book,a sign,the sky,water',
);

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Validates the environment once; throws a ConfigError naming every bad key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty or blank variable (MNEME_X= in a compose file) means "not set", as most servers treat it.
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  const apiKeys = e.MNEME_API_KEYS ?? new Map<string, string>();
  const host = e.MNEME_HOST ?? (apiKeys.size > 0 ? '0.0.0.0' : '127.0.0.1');
  if (apiKeys.size === 0 && !LOOPBACK.has(host)) {
    throw new ConfigError([
      `MNEME_HOST: "${host}" would expose a server without API keys; set MNEME_API_KEYS (key:tenant,...) or bind 127.0.0.1`,
    ]);
  }
  const production = e.NODE_ENV === 'production';
  return new AppConfig(
    {
      port: e.MNEME_PORT,
      host,
      production,
      graphiql: e.MNEME_GRAPHIQL ?? !production,
      bodyLimitBytes: e.MNEME_BODY_LIMIT_BYTES,
      graphqlMaxDepth: e.MNEME_GRAPHQL_MAX_DEPTH,
      requestTimeoutMs: e.MNEME_REQUEST_TIMEOUT_MS,
      archive: { timeoutMs: e.MNEME_ARCHIVE_TIMEOUT_MS, maxImportBytes: e.MNEME_IMPORT_MAX_BYTES },
      shutdownGraceMs: e.MNEME_SHUTDOWN_GRACE_MS,
      logLevel: e.MNEME_LOG_LEVEL,
      dataDir: path.resolve(e.MNEME_DATA_DIR),
    },
    { apiKeys },
    llmConfigFrom(e, path.resolve(e.MNEME_DATA_DIR), apiKeys.size > 0),
    {
      maxMediaBytes: e.MNEME_MEDIA_MAX_BYTES,
      maxImagePixels: e.MNEME_IMAGE_MAX_PIXELS,
      imagesPerRequest: e.MNEME_IMAGES_PER_REQUEST,
      audioPerRequest: e.MNEME_AUDIO_PER_REQUEST,
      // Half the cores: the LLM and the ONNX models want the rest.
      mediaWorkers: e.MNEME_MEDIA_WORKERS ?? Math.max(1, Math.floor(os.availableParallelism() / 2)),
      visionModel: e.MNEME_VISION_MODEL,
      // A copy: each loaded config owns its lists, the default is shared.
      labels: [...(e.MNEME_VISION_LABELS ?? DEFAULT_LABELS)],
      asrModel: e.MNEME_ASR_MODEL,
      audioEmbeddingModel: e.MNEME_AUDIO_EMBEDDING_MODEL,
      maxAudioSeconds: e.MNEME_AUDIO_MAX_SECONDS,
      dtype: {
        vision: e.MNEME_VISION_DTYPE ?? e.MNEME_ONNX_DTYPE,
        asr: e.MNEME_ASR_DTYPE ?? e.MNEME_ONNX_DTYPE,
        audioEmbedding: e.MNEME_AUDIO_EMBEDDING_DTYPE ?? e.MNEME_ONNX_DTYPE,
      },
      preload: e.MNEME_PERCEPTION_PRELOAD,
    },
    telemetryConfigFrom(e),
    memoryConfigFrom(e, path.resolve(e.MNEME_DATA_DIR)),
    routingConfigFrom(e),
    fusionConfigFrom(e),
    limitsConfigFrom(e, production, apiKeys.size > 0),
  );
}
