import { z } from 'zod';
import { boolFlag, int, variableDocs, onnxDtype } from './variable-kit.js';
import { commaList } from '../comma-list.js';

// The three memory tiers and consolidation.

export const workingAndEpisodicMemory = {
  MNEME_REDIS_URL: z
    .url()
    .refine((u) => /^rediss?:\/\//.test(u), 'must be a redis:// or rediss:// URL')
    .optional()
    .register(variableDocs, {
      meaning:
        '`redis://host:6379/0`: working memory in Redis, shared by every server process and kept across restarts',
      default:
        '— (working memory in process; a session’s window is brought back from episodic memory after a restart)',
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
  MNEME_REEMBED_BATCH: int(1, 4096)
    .default(64)
    .register(variableDocs, {
      meaning:
        'episodes `mneme reembed` embeds and commits at a time (smaller: less lost work per crash and shorter ' +
        'waits for requests sharing the embedder; larger: fewer table versions)',
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

export const semanticMemory = {
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
