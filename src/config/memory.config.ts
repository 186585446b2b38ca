import path from 'node:path';
import { splitCommaList } from './comma-list.js';
import type { Env } from './env.schema.js';

export interface MemoryConfig {
  working: {
    /** Redis URL; undefined keeps working memory in this process. */
    redisUrl: string | undefined;
    redisTimeoutMs: number;
    ttlMs: number;
    maxTurns: number;
    /** Prompt tokens given to the recent turns of the session. */
    tokens: number;
    /** The window's start moves in steps of this many turns (prompt-cache friendly), not turn by turn. */
    slideTurns: number;
  };
  episodic: {
    /** The LanceDB directory. */
    dir: string;
    recallItems: number;
    /** Prompt tokens given to recalled episodes. */
    recallTokens: number;
    /** Rows past which an ANN vector index is built. */
    indexThreshold: number;
    /** LanceDB's caches of index data and file metadata, in bytes (its own default is 7 GB). */
    cacheBytes: number;
    /** Episodes re-embedded and committed per step of a re-embed. */
    reembedBatch: number;
  };
  semantic: {
    /** The embedded graph's directory (kuzu). */
    dir: string;
    /** A Neo4j server to keep the graph in instead (production); the embedded kuzu graph when unset. */
    neo4j: { uri: string; user: string; password: string; database: string | undefined } | undefined;
    /** Cosine of name embeddings above which a name that shares words with an entity's is the same entity. */
    mergeThreshold: number;
    /** Predicates a subject may hold several objects of at once; any other predicate's new object retires the old. */
    multiValued: Set<string>;
    /** Facts put into a prompt at most, and the prompt tokens they may take. */
    recallFacts: number;
    recallTokens: number;
  };
  consolidation: {
    /** How often the background worker looks for episodes to extract facts from; 0 turns it off. */
    intervalMs: number;
    /** Tokens of turns that must have overflowed a session's window before they are summarized; 0: never. */
    summaryMinTokens: number;
    /** Tokens one summarizing pass reads at most (older summary included); the rest waits for the next. */
    summaryInputTokens: number;
  };
  decay: {
    /** What happens to an episode whose importance × recency × use falls below the threshold. */
    action: 'off' | 'archive' | 'forget';
    halfLifeMs: number;
    threshold: number;
    /** How often decay runs (it is cheap: one filtered scan). */
    intervalMs: number;
  };
  /** When a memory store is down: answer without that tier (and say so) instead of STORE_UNAVAILABLE. */
  degrade: boolean;
  /** transformers.js feature-extraction model folder; undefined means "discover". */
  textEmbeddingModel: string | undefined;
  textEmbeddingDtype: Env['MNEME_ONNX_DTYPE'];
}

// Relations a subject commonly holds many of at once; the rest (lives_in, works_at, age, …) hold one at a time.
const DEFAULT_MULTI_VALUED = splitCommaList(
  'knows,likes,dislikes,loves,friend_of,parent_of,child_of,sibling_of,works_with,member_of,has,owns,uses,' +
    'speaks,visited,interested_in,related_to,mentioned,attended,wrote,created',
);

export function memoryConfigFrom(e: Env, dataDir: string): MemoryConfig {
  return {
    working: {
      redisUrl: e.MNEME_REDIS_URL,
      redisTimeoutMs: e.MNEME_REDIS_TIMEOUT_MS,
      ttlMs: e.MNEME_WORKING_MEMORY_TTL_SECONDS * 1000,
      maxTurns: e.MNEME_WORKING_MEMORY_MAX_TURNS,
      tokens: e.MNEME_WORKING_MEMORY_TOKENS,
      slideTurns: e.MNEME_WORKING_MEMORY_SLIDE_TURNS,
    },
    episodic: {
      dir: path.join(dataDir, 'episodic'),
      recallItems: e.MNEME_EPISODIC_RECALL_ITEMS,
      recallTokens: e.MNEME_EPISODIC_RECALL_TOKENS,
      indexThreshold: e.MNEME_EPISODIC_INDEX_THRESHOLD,
      cacheBytes: e.MNEME_EPISODIC_CACHE_MB * 1024 * 1024,
      reembedBatch: e.MNEME_REEMBED_BATCH,
    },
    semantic: {
      dir: path.join(dataDir, 'semantic', 'graph.kuzu'),
      neo4j: e.MNEME_NEO4J_URI
        ? {
            uri: e.MNEME_NEO4J_URI,
            user: e.MNEME_NEO4J_USER,
            password: e.MNEME_NEO4J_PASSWORD ?? '',
            database: e.MNEME_NEO4J_DATABASE,
          }
        : undefined,
      mergeThreshold: e.MNEME_SEMANTIC_MERGE_THRESHOLD,
      recallFacts: e.MNEME_SEMANTIC_RECALL_FACTS,
      recallTokens: e.MNEME_SEMANTIC_RECALL_TOKENS,
      multiValued: new Set(
        (e.MNEME_SEMANTIC_MULTI_VALUED ?? DEFAULT_MULTI_VALUED).map((p) => p.toLowerCase()),
      ),
    },
    consolidation: {
      intervalMs: e.MNEME_CONSOLIDATION_INTERVAL_MS,
      summaryMinTokens: e.MNEME_SUMMARY_MIN_TOKENS,
      summaryInputTokens: e.MNEME_SUMMARY_INPUT_TOKENS,
    },
    decay: {
      action: e.MNEME_DECAY_ACTION,
      halfLifeMs: e.MNEME_DECAY_HALF_LIFE_DAYS * 24 * 3600 * 1000,
      threshold: e.MNEME_DECAY_THRESHOLD,
      intervalMs: e.MNEME_DECAY_INTERVAL_MS,
    },
    degrade: e.MNEME_MEMORY_DEGRADE,
    textEmbeddingModel: e.MNEME_TEXT_EMBEDDING_MODEL,
    textEmbeddingDtype: e.MNEME_TEXT_EMBEDDING_DTYPE ?? e.MNEME_ONNX_DTYPE,
  };
}
