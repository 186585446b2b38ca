import type { ChatMessage, GenerationResult } from '../../engines/llm/llm-engine.js';
import type { Percept } from '../fusion/percept.js';
import type { MemoryTierName } from '../memory/memory.types.js';
import type { Route } from '../routing/routing.service.js';

// What the ask pipeline (AgentService) answers: events while it streams, then one answer.

/** The memory side of an answer: what was used, what was stored, what was skipped or failed. */
export interface AnswerMemory {
  used: { id: string; tier: MemoryTierName }[];
  remembered: string[];
  degraded: MemoryTierName[];
  /** Tiers the fast path skipped because their stage was over its latency target. */
  skipped: MemoryTierName[];
  warnings: string[];
}

/** Self-consistency on the deep path: how many answers were sampled and how much they agreed. */
export interface Consistency {
  samples: number;
  agreement: number;
  diversity: number;
  /** Completion tokens over all samples (usage counts the chosen one). */
  totalCompletionTokens: number;
  /** The model of each sample, in the order drawn. */
  models: string[];
}

export interface AgentAnswer {
  result: GenerationResult;
  route: Route;
  /** What the ask's media were perceived as; undefined without media. */
  perception: Percept | undefined;
  consistency: Consistency | undefined;
  sessionId: string;
  memory: AnswerMemory;
  /** The messages the model answered from (system prompt, memories, turns, question). */
  context: ChatMessage[];
}

export type AgentEvent =
  | { type: 'token'; text: string }
  /** The tokens streamed so far are superseded: an escalated answer follows. */
  | { type: 'restart'; reason: string }
  | { type: 'answer'; answer: AgentAnswer };
