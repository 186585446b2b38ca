import type { MemoryTierName } from './memory-span.js';
import type { RecalledEpisode, RecalledFact } from './prompt-context.js';
import type { Turn } from './working/working-memory.store.js';

// What the memory facade takes and answers (MemoryService), apart from the service itself: the one door other
// modules use into memory (never its tiers' files).

export type { MemoryTierName } from './memory-span.js';
export type { PromptParts, RecalledEpisode, RecalledFact } from './prompt-context.js';
export type { Turn } from './working/working-memory.store.js';
/** Tokens a chat template spends around one message; what memory budgets turns with. */
export { MESSAGE_OVERHEAD } from './working/token-window.js';

/** How much memory a compute path recalls: which tiers, and at most how many episodes. */
export interface RecallDepth {
  tiers: readonly MemoryTierName[];
  recallItems: number;
  /** Semantic tier: facts of entities this many hops from the named ones too. */
  neighborhoodHops: number;
}

/** The stable part of a prompt's memory: the session's recent turns and the summary of older ones. */
export interface Conversation {
  turns: Turn[];
  summary?: RecalledEpisode;
  /** What the turns and summary cost of the budget, headers included. */
  tokens: number;
  /** Tiers skipped because their store was down, or episodic recall by meaning only in part (a re-embed). */
  degraded: MemoryTierName[];
}

/** What an ask gets from memory before it is answered. */
export interface PromptMemory {
  turns: Turn[];
  /** The summary of the session's turns older than `turns` (written when they overflowed the window). */
  summary?: RecalledEpisode;
  /** Current facts about the entities the request names (semantic tier). */
  facts: RecalledFact[];
  episodes: RecalledEpisode[];
  /** Tiers skipped because their store was down (only with MNEME_MEMORY_DEGRADE). */
  degraded: MemoryTierName[];
}

export interface MemoryHit {
  id: string;
  tier: MemoryTierName;
  sessionId: string;
  role: string;
  text: string;
  createdAt: number;
  score: number;
  /** Found while recall by meaning covered only part of memory (a re-embed under way): full text stood in. */
  degraded?: boolean;
}

/** What a multimodal exchange adds to the user's turn: a note of what was perceived, and shared-space vectors. */
export interface ExchangeMedia {
  /** image | audio | multimodal. */
  modality: string;
  /** One line of what was perceived, appended to the user's words (so text recall and follow-ups see it). */
  note: string;
  /** Content hashes of the media files (sha256 hex). */
  hashes: string[];
  imageVector?: Float32Array;
  audioVector?: Float32Array;
  fusedVector?: Float32Array;
}

/** One question and its answer, as remembered after answering. */
export interface Exchange {
  sessionId: string;
  question: string;
  answer: string;
  media?: ExchangeMedia;
  /** Queue the question for fact extraction into semantic memory (the path's `extraction`). */
  extract: boolean;
}

/** What the memory tiers hold, all tenants together (operator gauges). */
export interface MemorySizes {
  episodes?: number;
  entities?: number;
  facts?: number;
  /** Sessions waiting for the summarizer (the working → episodic queue). */
  sessionsToSummarize: number;
}

export type ForgetScope =
  { episodeId: string } | { sessionId: string } | { factId: string } | { everything: true };

export interface ForgetCounts {
  working: number;
  episodic: number;
  /** Facts and entities that only forgotten episodes had taught (or the forgotten fact, its versions and ends). */
  semantic: number;
  /** The LLM's cached prompt states holding the forgotten conversation (in its sequences and on disk). */
  promptCache: number;
}
