import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { ModelStats } from '../../common/model-catalog.js';
import type { CacheScope } from './prompt-cache/cache-owner.js';

export type { CacheScope } from './prompt-cache/cache-owner.js';

export type ChatRole = 'system' | 'user' | 'assistant';

/** An image for a vision-capable model: always a data: URL (the server never hands a model a URL to fetch). */
export interface ChatImage {
  url: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** Only for engines whose acceptsImages() is true. */
  images?: ChatImage[];
}

export interface GenerateRequest {
  /** A served model's name, or `default` / undefined for the default model. */
  model?: string;
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  /** Constrain the output to JSON matching this schema (a grammar in process, response_format remotely). */
  jsonSchema?: Record<string, unknown>;
  /** The conversation this prompt belongs to: cached prompt states are tagged with it, so forget can drop them. */
  sessionId?: string;
  /**
   * Score every generated token: its log probability and this many likeliest alternatives (0–20), plus the
   * answer's entropy. Only where `scoresTokens(model)` is true; not together with `jsonSchema`.
   */
  logprobs?: number;
  /** Score only where the model can; without it, a model that cannot refuses the request (BAD_REQUEST). */
  logprobsIfAvailable?: boolean;
}

/** The start of a coming GenerateRequest: its model, session and every message before the last. */
export type PrefillRequest = Pick<GenerateRequest, 'model' | 'messages' | 'sessionId'>;

export type FinishReason = 'stop' | 'length';

/** A token's text and natural-log probability under the distribution it was sampled from. */
export interface TokenChoice {
  token: string;
  logprob: number;
  /** The token text's UTF-8 bytes (a token may hold part of a character). */
  bytes: number[];
}

/** One generated token, scored, with the likeliest alternatives at its position (most likely first). */
export interface TokenLogprob extends TokenChoice {
  top: TokenChoice[];
}

/** The scores of a generation that asked for them (`logprobs`). */
export interface GenerationScores {
  tokens: TokenLogprob[];
  /** Mean per-token min-entropy in nats (−ln of the likeliest token's probability): how unsure the model was. */
  meanEntropy: number;
}

export interface TokenUsage {
  promptTokens: number;
  /** Prompt tokens whose evaluation was reused from the prompt cache instead of computed again. */
  cachedPromptTokens: number;
  completionTokens: number;
}

export interface GenerationTimings {
  /** Waiting for a free sequence slot. */
  queueMs: number;
  /** From the call to the first generated token (queue and prompt evaluation included). */
  ttftMs: number;
  totalMs: number;
  /** Decode rate: tokens after the first, over the time after the first. */
  tokensPerSecond: number;
}

export interface GenerationResult {
  text: string;
  model: string;
  finishReason: FinishReason;
  usage: TokenUsage;
  timings: GenerationTimings;
  /** Present when the request asked for `logprobs`. */
  scores?: GenerationScores;
}

export type GenerationEvent =
  { type: 'token'; text: string; logprobs?: TokenLogprob[] } | { type: 'done'; result: GenerationResult };

export type ModelState = 'loading' | 'ready' | 'failed' | 'unloaded';

export interface ModelInfo extends ModelStats {
  name: string;
  state: ModelState;
  /** Where the weights came from: a path, or the `hf:` URI they were pulled from. */
  source: string;
  contextSize: number;
  parallel: number;
  /** True when serving the bundled random-weight test model (answers are noise). */
  testModel: boolean;
  error?: string;
}

export interface EngineStats {
  active: number;
  queued: number;
  completed: number;
  failed: number;
  /** Generations whose caller left before they finished. */
  cancelled: number;
}

/**
 * The LLM engine port. Two roles: `generate` (streaming, abortable, metered) and model lifecycle.
 * Adapters: node-llama-cpp in process; an OpenAI-compatible remote backend.
 */
export abstract class LlmEngine {
  /**
   * Streams tokens, then exactly one `done` event. Fails with a MnemeError: MODEL_NOT_FOUND, CONTEXT_OVERFLOW,
   * OVERLOADED, CANCELLED, DEADLINE_EXCEEDED, MODEL_UNAVAILABLE. Stopping iteration early aborts generation.
   */
  abstract generate(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent>;
  /** Loads the configured model; idempotent, resolves when ready, rejects when loading failed. */
  abstract load(): Promise<void>;
  /** Waits for in-flight generations up to `graceMs`, aborts the rest. */
  abstract drain(graceMs: number): Promise<void>;
  /** Releases the model and native resources. */
  abstract unload(): Promise<void>;
  abstract models(): ModelInfo[];
  abstract stats(): EngineStats;
  /** Tokens of plain text under a served model's tokenizer (the default's without one); waits for it to load. */
  abstract countTokens(text: string, model?: string): Promise<number>;
  /** Whether a served model (the default without one) takes images in user messages (a vision LLM). */
  abstract acceptsImages(model?: string): boolean;
  /** Whether a served model (the default without one) can score its tokens (`logprobs`). */
  scoresTokens(_model?: string): boolean {
    return false;
  }
  /** Drops the prompt cache's states of a tenant or one of its sessions (memory and disk); answers how many. */
  abstract forgetCached(scope: CacheScope): Promise<number>;
  /**
   * Evaluates the stable start of a coming request's prompt (`messages`, up to and without its last message)
   * where that request will find it, while the caller prepares the rest. Best effort and never queues: an engine
   * without a prompt cache, or with no free sequence, does nothing.
   */
  prefill(_request: PrefillRequest, _ctx: CallContext): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Loads a served model now; `keepAliveSeconds` (-1: until its room is needed) sets how long it may idle. An
   * engine serving one model has nothing to manage: it loads that one (MODEL_NOT_FOUND for any other name).
   */
  async loadModel(name: string, _keepAliveSeconds?: number): Promise<ModelInfo> {
    const info = this.servedInfo(name);
    await this.load();
    return this.servedInfo(info.name);
  }

  /** Unloads a served model (refused while it serves requests). */
  async unloadModel(name: string): Promise<ModelInfo> {
    const info = this.servedInfo(name);
    await this.unload();
    return this.servedInfo(info.name);
  }

  private servedInfo(name: string): ModelInfo {
    const info = this.models().find((m) => m.name === name);
    if (info) return info;
    throw new MnemeError(ErrorCode.MODEL_NOT_FOUND, `Unknown model "${name}".`);
  }
}

/** Runs a generation to its end and returns the result. */
export async function generateToEnd(
  engine: LlmEngine,
  request: GenerateRequest,
  ctx: CallContext,
): Promise<GenerationResult> {
  for await (const event of engine.generate(request, ctx)) {
    if (event.type === 'done') return event.result;
  }
  throw new Error('LLM engine ended a generation without a result');
}
