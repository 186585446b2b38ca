import { z } from 'zod';
import { commaList } from './comma-list.js';
import { fusionWeightsSchema } from './fusion.config.js';
import { PATH_FIELDS, defaultPathsText, routingPathsSchema } from './routing.config.js';
import { SHEDDABLE_STAGES } from './stages.js';
import {
  defaultTargetsText,
  shedStagesSchema,
  sloTargetsSchema,
  untargetedStages,
} from './telemetry.config.js';

/** What docs/configuration.md says of a variable. */
export interface VariableDoc {
  /** One line for the table. */
  meaning: string;
  /** The default in words, where boot computes it; otherwise the docs show the schema's own default. */
  default?: string;
  /** What does not fit a table cell; printed below the section's table. */
  details?: string;
}

/** Every variable's documentation, registered on its schema below: the one source of the configuration docs. */
export const variableDocs = z.registry<VariableDoc>();

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

const onnxDtype = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4']);

const ON_UNLESS_PRODUCTION = 'on unless `NODE_ENV=production`';

const server = {
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
  MNEME_SHUTDOWN_GRACE_MS: int(0, 600_000)
    .default(10_000)
    .register(variableDocs, { meaning: 'how long SIGTERM waits for in-flight generations' }),
};

const limits = {
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
    .register(variableDocs, { meaning: 'the same for event-loop delay; `0` turns it off' }),
};

const llm = {
  MNEME_MODELS_DIR: z.string().min(1).default('./models').register(variableDocs, {
    meaning: 'searched for a `.gguf` when `MNEME_LLM_MODEL` is unset; `hf:` pulls land here',
  }),
  MNEME_LLM_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a GGUF path, or an `hf:user/repo:quant` URI / URL pulled at start',
    default: 'first `.gguf` in the models dir, else the bundled test model',
  }),
  MNEME_LLM_MODEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,128}$/, 'letters, digits and . _ : / - only')
    .optional()
    .register(variableDocs, {
      meaning: 'the name clients use in `model`',
      default: 'the file name without `.gguf`',
    }),
  MNEME_LLM_THREADS: int(1, 256).optional().register(variableDocs, {
    meaning: 'llama.cpp threads (more than cores slows decoding sharply)',
    default: 'available cores',
  }),
  MNEME_LLM_CONTEXT_SIZE: int(256, 1_048_576)
    .default(4096)
    .register(variableDocs, { meaning: "tokens per sequence (capped at the model's training context)" }),
  MNEME_LLM_PARALLEL: int(1, 64)
    .default(2)
    .register(variableDocs, { meaning: 'requests generated at once (context sequences)' }),
  MNEME_LLM_QUEUE_LIMIT: int(0, 10_000)
    .default(32)
    .register(variableDocs, { meaning: 'requests waiting for a slot before new ones get `OVERLOADED`' }),
  MNEME_LLM_MAX_TOKENS: int(1, 131_072)
    .default(512)
    .register(variableDocs, { meaning: 'new tokens when a request does not say' }),
  MNEME_LLM_PROMPT_CACHE: boolFlag.default(true).register(variableDocs, {
    meaning: "keep each sequence's evaluated tokens for the next request that shares their prefix",
    details:
      'A request goes to the free sequence holding the longest shared prefix of its prompt (its own ' +
      "session's, or at least the system prompt); only the rest is evaluated. Another tenant's tokens are " +
      "never reused past the server's system prompt. `false` evaluates every prompt from scratch.",
  }),
  MNEME_LLM_PROMPT_CACHE_DISK_MB: int(0, 1_048_576)
    .default(1024)
    .register(variableDocs, {
      meaning:
        'bytes (MB) of sequence states kept on disk under `<data dir>/prompt-cache` when another request takes ' +
        "a session's sequence; `0` keeps none",
      details:
        "Restored on the session's next turn when loading is faster than evaluating again; least recently " +
        "used out first. Keyed by model file, tenant and token prefix; `forget` deletes a session's states.",
    }),
  MNEME_LLM_REMOTE_URL: z
    .url()
    .refine(
      (u) => /^https?:\/\//.test(u),
      'must be an http:// or https:// URL (the base, e.g. http://host:8080/v1)',
    )
    .optional()
    .register(variableDocs, {
      meaning:
        'generate on an OpenAI-compatible server (vLLM, llama.cpp server, LocalAI, Ollama, another Mneme) ' +
        'instead of in process: its base URL up to `/v1`',
      details:
        'Streaming chat completions, the same slots/queue (`MNEME_LLM_PARALLEL`, `MNEME_LLM_QUEUE_LIMIT`), ' +
        'spans and error codes; the trace continues in the remote (`traceparent`). Unreachable: ' +
        '`MODEL_UNAVAILABLE` (503) per request and `/readyz` 503, the server keeps serving. Token counts for ' +
        "budgets are estimated (3 bytes/token) — set `MNEME_LLM_CONTEXT_SIZE` to the remote model's context.",
    }),
  MNEME_LLM_REMOTE_API_KEY: z
    .string()
    .min(1)
    .optional()
    .register(variableDocs, { meaning: 'Bearer key sent to the remote' }),
  MNEME_LLM_REMOTE_MODEL: z.string().min(1).max(256).optional().register(variableDocs, {
    meaning: 'the remote model id to use',
    default: 'the first model the remote lists',
  }),
  MNEME_LLM_REMOTE_VISION: boolFlag.default(false).register(variableDocs, {
    meaning: 'the remote model takes images (`image_url` parts): asks send their images to it',
    details:
      'Images go to the remote as downscaled JPEG (≤1024 px) and `perception.imageAnswering` says ' +
      '`VISION_LLM`; otherwise closed questions about images are answered by scoring candidate answers ' +
      '(`CANDIDATE_SCORING`).',
  }),
  MNEME_LLM_SYSTEM_PROMPT: z
    .string()
    .default('You are Mneme, a helpful assistant. Answer concisely.')
    .register(variableDocs, { meaning: 'prepended unless the caller sends a system message' }),
};

const perception = {
  MNEME_MEDIA_MAX_BYTES: int(1024, 1024 ** 3)
    .default(25 * 1024 * 1024)
    .register(variableDocs, { meaning: 'largest image or audio file' }),
  MNEME_IMAGE_MAX_PIXELS: int(1, 1_000_000_000).default(50_000_000).register(variableDocs, {
    meaning: 'largest image by declared pixel count (bombs are refused from the header)',
  }),
  MNEME_IMAGES_PER_REQUEST: int(1, 64).default(8).register(variableDocs, {
    meaning: 'images one request may carry, counted across all its fields (GraphQL) or messages (REST)',
  }),
  MNEME_AUDIO_PER_REQUEST: int(1, 64).default(2).register(variableDocs, {
    meaning:
      'audio clips one request may carry; with the images, also the most files a multipart request may hold',
  }),
  MNEME_MEDIA_WORKERS: int(1, 64).optional().register(variableDocs, {
    meaning: 'worker threads that decode and resample audio off the event loop',
    default: 'half the cores',
  }),
  MNEME_VISION_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a transformers.js CLIP-family folder (ONNX `vision_model` + `text_model`)',
    default: '`./models/clip`, else the bundled tiny test model',
  }),
  MNEME_VISION_LABELS: commaList().optional().register(variableDocs, {
    meaning: 'default zero-shot image labels, comma-separated',
    default: 'everyday labels (a person, a dog, a street, a document, …)',
  }),
  MNEME_ASR_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a transformers.js Whisper or wav2vec2-CTC folder',
    default: '`./models/asr`, else the bundled tiny Whisper',
  }),
  MNEME_AUDIO_EMBEDDING_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a transformers.js CLAP-family folder',
    default: '`./models/clap`, else the bundled tiny CLAP',
  }),
  MNEME_AUDIO_MAX_SECONDS: int(1, 86_400).default(600).register(variableDocs, {
    meaning: 'longest audio accepted; MP3/Ogg decoding stops there, longer files are `AUDIO_TOO_LONG`',
  }),
  MNEME_ONNX_DTYPE: onnxDtype.default('fp32').register(variableDocs, {
    meaning:
      'which ONNX weights to load from each perception folder: `fp32` (`<name>.onnx`), `q8` ' +
      '(`<name>_quantized.onnx`), `fp16`, `int8`, `uint8`, `q4`',
  }),
  MNEME_VISION_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'the same choice for the vision model only',
    default: '`MNEME_ONNX_DTYPE`',
  }),
  MNEME_ASR_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'the same choice for the speech model only (e.g. `MNEME_ASR_DTYPE=q8`: int8 speech, fp32 CLIP)',
    default: '`MNEME_ONNX_DTYPE`',
  }),
  MNEME_AUDIO_EMBEDDING_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'the same choice for the audio embedding model only',
    default: '`MNEME_ONNX_DTYPE`',
  }),
  MNEME_PERCEPTION_PRELOAD: boolFlag
    .default(true)
    .register(variableDocs, { meaning: 'load perception models at boot (`false`: at first use)' }),
};

const workingAndEpisodicMemory = {
  MNEME_REDIS_URL: z
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL')
    .optional()
    .register(variableDocs, {
      meaning:
        '`redis://host:6379/0`: working memory in Redis, shared by every server process and kept across restarts',
      default: '— (working memory in process)',
    }),
  MNEME_REDIS_TIMEOUT_MS: int(50, 60_000).default(1000).register(variableDocs, {
    meaning:
      'per-command timeout; a slower or absent Redis answers `STORE_UNAVAILABLE` at once (reconnects by itself)',
  }),
  MNEME_WORKING_MEMORY_TTL_SECONDS: int(1, 365 * 86_400)
    .default(86_400)
    .register(variableDocs, { meaning: "a session's turns expire this long after its last turn" }),
  MNEME_WORKING_MEMORY_MAX_TURNS: int(2, 100_000)
    .default(200)
    .register(variableDocs, { meaning: 'newest turns kept per session' }),
  MNEME_WORKING_MEMORY_TOKENS: int(0, 1_000_000).default(1024).register(variableDocs, {
    meaning: "prompt tokens for the session's recent turns (less when the context is small)",
  }),
  MNEME_WORKING_MEMORY_SLIDE_TURNS: int(1, 1000)
    .default(8)
    .register(variableDocs, {
      meaning:
        "when the session's turns outgrow their tokens, the window's start moves this many turns at a time " +
        '(on fixed boundaries), so the prompt and its cached prefix stay the same for several turns; `1` slides ' +
        'turn by turn',
    }),
  MNEME_MEMORY_DEGRADE: boolFlag.default(false).register(variableDocs, {
    meaning: 'when a memory store is down, answer without that tier and say so in `memory.degraded`',
  }),
  MNEME_EPISODIC_RECALL_ITEMS: int(0, 100).default(10).register(variableDocs, {
    meaning: 'most episodes recalled into one prompt (each compute path recalls its own number up to this)',
  }),
  MNEME_EPISODIC_RECALL_TOKENS: int(0, 1_000_000)
    .default(512)
    .register(variableDocs, { meaning: 'prompt tokens for recalled episodes' }),
  MNEME_EPISODIC_INDEX_THRESHOLD: int(256, 1_000_000_000).default(50_000).register(variableDocs, {
    meaning: 'episodes past which an IVF-PQ vector index is built in the background (exact search below)',
  }),
  MNEME_EPISODIC_CACHE_MB: int(16, 1_000_000).default(256).register(variableDocs, {
    meaning:
      "LanceDB's index and metadata caches (its own default is 7 GB; a cached old index keeps its files open)",
  }),
  MNEME_TEXT_EMBEDDING_MODEL: z
    .string()
    .min(1)
    .optional()
    .register(variableDocs, {
      meaning:
        'a transformers.js sentence-embedding folder (e.g. all-MiniLM-L6-v2); memory refuses to reopen with ' +
        'another model',
      default: '`./models/text-embedding`, else the bundled tiny BERT',
    }),
  MNEME_TEXT_EMBEDDING_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'its ONNX weights variant',
    default: '`MNEME_ONNX_DTYPE`',
  }),
};

const semanticMemory = {
  MNEME_NEO4J_URI: z
    .url()
    .refine((u) => /^(bolt|neo4j)(\+s|\+ssc)?:\/\//.test(u), 'must be a bolt:// or neo4j:// URL')
    .optional()
    .register(variableDocs, {
      meaning:
        'keep the semantic graph on a Neo4j 5 server (`bolt://` or `neo4j://`, `+s`/`+ssc` for TLS) instead ' +
        'of the embedded kuzu graph',
      details:
        'A Neo4j server that is down does not stop Mneme: semantic calls answer `STORE_UNAVAILABLE` (503) ' +
        'until it is back.',
    }),
  MNEME_NEO4J_USER: z.string().min(1).default('neo4j').register(variableDocs, { meaning: 'Neo4j user' }),
  MNEME_NEO4J_PASSWORD: z.string().optional().register(variableDocs, { meaning: 'Neo4j password' }),
  MNEME_NEO4J_DATABASE: z.string().min(1).optional().register(variableDocs, {
    meaning: 'Neo4j database',
    default: "the server's default database",
  }),
  MNEME_SEMANTIC_MERGE_THRESHOLD: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.6)
    .register(variableDocs, {
      meaning:
        "cosine of name embeddings above which a name that shares all its words with a known entity's " +
        '("Ada" / "Ada Lovelace") is that entity',
    }),
  MNEME_SEMANTIC_MULTI_VALUED: commaList()
    .optional()
    .register(variableDocs, {
      meaning:
        'predicates a subject holds several objects of at once, comma-separated; any other predicate is ' +
        'single-valued: a new object retires the current one',
      default: '`knows,likes,friend_of,has,…` (everyday relations)',
    }),
  MNEME_SEMANTIC_RECALL_FACTS: int(0, 200)
    .default(20)
    .register(variableDocs, { meaning: 'facts put into a prompt at most' }),
  MNEME_SEMANTIC_RECALL_TOKENS: int(0, 1_000_000)
    .default(256)
    .register(variableDocs, { meaning: 'prompt tokens the facts may take' }),
  MNEME_CONSOLIDATION_INTERVAL_MS: int(0, 86_400_000)
    .default(5000)
    .register(variableDocs, {
      meaning:
        'how often the background worker extracts facts from queued episodes (it yields to requests); `0` ' +
        'turns it off',
    }),
  MNEME_SUMMARY_MIN_TOKENS: int(0, 1_000_000)
    .default(256)
    .register(variableDocs, {
      meaning:
        "tokens of turns that must have overflowed a session's working-memory window before the worker " +
        'summarizes them; `0` turns session summaries off',
    }),
  MNEME_SUMMARY_INPUT_TOKENS: int(64, 1_000_000)
    .default(1536)
    .register(variableDocs, {
      meaning:
        'tokens one summarizing pass reads at most (the previous summary included); what is left waits for ' +
        'the next pass',
    }),
  MNEME_DECAY_ACTION: z
    .enum(['off', 'archive', 'forget'])
    .default('archive')
    .register(variableDocs, {
      meaning:
        'what happens to an episode whose decay score falls below the threshold: `archive`, `forget` or `off`',
      details:
        'The decay score is importance × recency × use (1 + ln(1 + recalls)). `archive`: recall skips the ' +
        'episode, `episodes` and `forget` still see it; `forget`: it is deleted, with the facts only it taught.',
    }),
  MNEME_DECAY_HALF_LIFE_DAYS: z.coerce.number().positive().max(36_500).default(90).register(variableDocs, {
    meaning: 'recency halves every this many days since creation or last recall',
  }),
  MNEME_DECAY_THRESHOLD: z.coerce
    .number()
    .min(0)
    .max(10)
    .default(0.01)
    .register(variableDocs, { meaning: 'the decay score below which the action applies' }),
  MNEME_DECAY_INTERVAL_MS: int(0, 86_400_000 * 7)
    .default(3_600_000)
    .register(variableDocs, { meaning: 'how often decay runs; `0` turns it off' }),
};

const fusion = {
  MNEME_AUDIO_LABELS: commaList().optional().register(variableDocs, {
    meaning: "audio-event labels scored against the CLAP embedding of an ask's audio, comma-separated",
    default: 'everyday sound events (speech, music, a dog barking, a siren, …)',
  }),
  MNEME_FUSION_WEIGHTS: fusionWeightsSchema.optional().register(variableDocs, {
    meaning: 'weight of each modality in the fused vector, `text=<0..10>,image=<0..10>,audio=<0..10>`',
    default: '`text=1,image=1,audio=1`',
  }),
  MNEME_VQA_ANSWERS: commaList()
    .optional()
    .register(variableDocs, {
      meaning:
        'candidate answers to questions about an image that are neither yes/no nor counts (`what color…`), ' +
        'comma-separated; yes/no and counts 0–10 are built in',
      default: 'about 100 frequent short answers (colors, things, places, …)',
    }),
  MNEME_LABEL_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.2).register(variableDocs, {
    meaning:
      'a label or scored answer below this softmax score (or under 1.5× chance) is not stated as perceived',
    details:
      'An ask about images with nothing above the score gets an honest "I can\'t tell" without the LLM.',
  }),
};

const routing = {
  MNEME_ROUTING_PATHS: routingPathsSchema.optional().register(variableDocs, {
    meaning:
      'JSON overriding any field of any compute path, e.g. `{"deep":{"model":"qwen-7b","concurrency":2}}`',
    default: 'the paths below',
    details:
      `The fields: ${PATH_FIELDS.map((f) => `\`${f}\``).join(' ')}. A model that is not loaded falls back to ` +
      `the default, and the route says so. The defaults, in short: ${defaultPathsText()}.`,
  }),
  MNEME_ROUTER_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a router trained by `npm run router:train`; must match the text embedder it was trained with',
    default: '`<models dir>/router.json` when present',
  }),
  MNEME_ROUTER_MIN_CONFIDENCE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .register(variableDocs, { meaning: 'below this probability the learned router defers to the rules' }),
  MNEME_ROUTING_FORCE_TENANTS: commaList()
    .optional()
    .register(variableDocs, { meaning: 'tenants whose `hint` forces the path, comma-separated (`*`: all)' }),
  MNEME_ROUTING_STEP_DOWN_TENANTS: commaList().default(['*']).register(variableDocs, {
    meaning: 'tenants whose deep requests may step down to medium when deep is full (`*`: all)',
  }),
};

const telemetry = {
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .default('mneme')
    .register(variableDocs, { meaning: 'service name on exported spans' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional().register(variableDocs, {
    meaning:
      'export traces and metrics over OTLP/HTTP, to `<endpoint>/v1/traces` and `<endpoint>/v1/metrics`',
  }),
  OTEL_METRIC_EXPORT_INTERVAL: int(100, 3_600_000).default(15_000).register(variableDocs, {
    meaning: 'ms between OTLP metric pushes (with `OTEL_EXPORTER_OTLP_ENDPOINT`)',
  }),
  MNEME_TELEMETRY: boolFlag.default(true).register(variableDocs, {
    meaning:
      '`false` starts no OpenTelemetry SDK at all: no spans recorded, no SLOs, no `/metrics` (what ' +
      '`bench:telemetry` compares against)',
  }),
  MNEME_METRICS: boolFlag
    .default(true)
    .register(variableDocs, { meaning: 'serve Prometheus text at `GET /metrics`' }),
  MNEME_SLO_TARGETS: sloTargetsSchema.optional().register(variableDocs, {
    meaning:
      'P95 targets over the defaults, `stage=ms,…` (e.g. `memory.semantic=150,ask.fast=400`); an unknown stage ' +
      'stops the server',
    default: 'the targets below',
    details:
      `Default targets, in ms (ms per second of audio where marked ms/s): ${defaultTargetsText()}. ` +
      `Stages without a default target: ${untargetedStages().join(', ')}.`,
  }),
  MNEME_SLO_WINDOW_SECONDS: int(10, 86_400)
    .default(300)
    .register(variableDocs, { meaning: 'the sliding window stage figures cover' }),
  MNEME_SLO_MIN_SAMPLES: int(1, 1_000_000)
    .default(20)
    .register(variableDocs, { meaning: 'samples a stage needs in the window before it can breach or alert' }),
  MNEME_SLO_ALERT_FACTOR: z.coerce
    .number()
    .min(1)
    .max(100)
    .default(2)
    .register(variableDocs, { meaning: 'alert when a stage p95 is over this many times its target' }),
  MNEME_SLO_ALERT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.05).register(variableDocs, {
    meaning: 'alert when a stage fails more than this share of its calls in the window',
  }),
  MNEME_SLO_ALERT_QUEUE_DEPTH: int(1, 1_000_000).optional().register(variableDocs, {
    meaning: 'alert when this many generations wait for an engine slot',
    default: '`MNEME_LLM_QUEUE_LIMIT`',
  }),
  MNEME_SLO_CHECK_MS: int(100, 3_600_000)
    .default(5000)
    .register(variableDocs, { meaning: 'how often breaches and alerts are evaluated' }),
  MNEME_SLO_SHED_FAST: shedStagesSchema
    .default(['memory.semantic', 'memory.episodic'])
    .register(variableDocs, {
      meaning:
        `stages the fast path skips while they breach, any of ${SHEDDABLE_STAGES.join(', ')}; a lone \`,\` ` +
        'never skips (an empty value counts as unset)',
    }),
};

/** An area's variables, and the heading docs/configuration.md gives them. */
export interface EnvSection {
  title: string;
  variables: Readonly<Record<string, z.ZodType>>;
}

/** Every variable the server reads, by area: the sections of docs/configuration.md. */
export const ENV_SECTIONS: readonly EnvSection[] = [
  { title: 'Server', variables: server },
  { title: 'Limits', variables: limits },
  { title: 'Language model', variables: llm },
  { title: 'Perception', variables: perception },
  { title: 'Working and episodic memory', variables: workingAndEpisodicMemory },
  { title: 'Semantic memory and consolidation', variables: semanticMemory },
  { title: 'Fusion', variables: fusion },
  { title: 'Routing', variables: routing },
  { title: 'Telemetry and SLOs', variables: telemetry },
];

/** Every variable the server reads, validated once at boot. */
export const envSchema = z.object({
  ...server,
  ...limits,
  ...llm,
  ...perception,
  ...workingAndEpisodicMemory,
  ...semanticMemory,
  ...fusion,
  ...routing,
  ...telemetry,
});

export type Env = z.infer<typeof envSchema>;
