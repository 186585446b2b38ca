import type { CallContext } from '../../../common/call-context.js';
import type { AppConfig } from '../../../config/app-config.js';
import type { RateLimits } from '../../../engines/rate-limit/rate-limits.js';
import type { ChatImage, ChatMessage, GenerationResult, LlmEngine } from '../../../engines/llm/llm-engine.js';
import type { FusionService } from '../../fusion/fusion.service.js';
import type { Percept } from '../../fusion/percept.js';
import type { MemoryService } from '../../memory/memory.service.js';
import type { MemoryTierName, PromptMemory } from '../../memory/memory.types.js';
import type { SloService } from '../../performance/slo.service.js';
import type { Route, RoutingService } from '../../routing/routing.service.js';
import type { AskInput } from '../dto/ask.input.js';
import type { AgentEvent, Consistency } from '../agent.types.js';

// One ask as it moves through the pipeline (ask-pipeline.ts): each step reads what came before and answers
// what it adds; the pipeline merges the additions. Warnings are returned, never pushed into a shared array.

/** What the steps use of the services (narrowed, so a step's spec can script each one). */
export interface AskDeps {
  engine: Pick<
    LlmEngine,
    'generate' | 'prefill' | 'countTokens' | 'models' | 'acceptsImages' | 'scoresTokens'
  >;
  memory: Pick<MemoryService, 'conversation' | 'forPrompt' | 'rememberExchange'>;
  routing: Pick<RoutingService, 'decide' | 'admit' | 'escalate'>;
  fusion: Pick<FusionService, 'fuse'>;
  config: AppConfig;
  slo: Pick<SloService, 'shedOnFast'>;
  rateLimits: Pick<RateLimits, 'chargeTokens'>;
}

export interface Asked {
  readonly input: AskInput;
  readonly ctx: CallContext;
  readonly sessionId: string;
  readonly warnings: readonly string[];
}

export interface Admitted extends Asked {
  readonly route: Route;
  /** Frees the path's slot; the pipeline calls it once the answer exists, or however the ask ends. */
  readonly release: () => void;
}

export interface Perceived extends Admitted {
  /** What the ask's media were perceived as; undefined without media. */
  readonly percept: Percept | undefined;
}

/** What perception puts into the prompt: source-marked text, and the images when the LLM takes them. */
export interface PerceptionContext {
  text: string;
  images: ChatImage[];
}

export interface Budgeted extends Perceived {
  readonly perception: PerceptionContext;
  /** Prompt tokens left for memory once the question, system prompt, answer room and perception are counted. */
  readonly memoryTokens: number;
}

export interface Recalled extends Budgeted {
  readonly memory: PromptMemory;
  /** Tiers the fast path skipped because their stage breached its latency target. */
  readonly skipped: MemoryTierName[];
}

/** One generation and what it was made from. */
export interface Generation {
  result: GenerationResult;
  /** The memory that fit (after any trimming for the context). */
  memory: PromptMemory;
  messages: ChatMessage[];
}

export interface Responded extends Recalled {
  readonly generation: Generation;
  readonly consistency: Consistency | undefined;
}

/** What a step adds: its fields, and what it has to say. */
export type Addition<T> = T & { warnings?: readonly string[] };

/** A step that streams events (tokens, a restart) before it answers its addition. */
export type StreamingStep<T> = AsyncGenerator<AgentEvent, Addition<T>, undefined>;
