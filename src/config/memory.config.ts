import path from 'node:path';
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
  };
  episodic: {
    /** The LanceDB directory. */
    dir: string;
    recallItems: number;
    /** Prompt tokens given to recalled episodes. */
    recallTokens: number;
    /** Rows past which an ANN vector index is built. */
    indexThreshold: number;
  };
  /** When a memory store is down: answer without that tier (and say so) instead of STORE_UNAVAILABLE. */
  degrade: boolean;
  /** transformers.js feature-extraction model folder; undefined means "discover". */
  textEmbeddingModel: string | undefined;
  textEmbeddingDtype: Env['MNEME_ONNX_DTYPE'];
}

export function memoryConfigFrom(e: Env, dataDir: string): MemoryConfig {
  return {
    working: {
      redisUrl: e.MNEME_REDIS_URL,
      redisTimeoutMs: e.MNEME_REDIS_TIMEOUT_MS,
      ttlMs: e.MNEME_WORKING_MEMORY_TTL_SECONDS * 1000,
      maxTurns: e.MNEME_WORKING_MEMORY_MAX_TURNS,
      tokens: e.MNEME_WORKING_MEMORY_TOKENS,
    },
    episodic: {
      dir: path.join(dataDir, 'episodic'),
      recallItems: e.MNEME_EPISODIC_RECALL_ITEMS,
      recallTokens: e.MNEME_EPISODIC_RECALL_TOKENS,
      indexThreshold: e.MNEME_EPISODIC_INDEX_THRESHOLD,
    },
    degrade: e.MNEME_MEMORY_DEGRADE,
    textEmbeddingModel: e.MNEME_TEXT_EMBEDDING_MODEL,
    textEmbeddingDtype: e.MNEME_TEXT_EMBEDDING_DTYPE ?? e.MNEME_ONNX_DTYPE,
  };
}
