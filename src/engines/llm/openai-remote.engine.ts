import { z } from 'zod';
import { abortError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError, isMnemeError } from '../../common/mneme-error.js';
import type { LlmConfig, RemoteLlmConfig } from '../../config/app-config.js';
import { contextWithSpan, traceHeaders } from '../../telemetry/tracing.js';
import { meteredResult } from './generation-meter.js';
import type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerationResult,
  GenerationScores,
  ModelInfo,
  ModelState,
  TokenLogprob,
} from './llm-engine.js';
import { MeteredEngine, type GenerationRun } from './metered-engine.js';
import { parseChunk, remoteError, toWireRequest, type WireChunk } from './openai-wire.js';
import { minEntropy } from './scored/token-scores.js';
import { sseData } from './sse-reader.js';

const modelList = z.looseObject({ data: z.array(z.looseObject({ id: z.string() })) });
const LIST_TIMEOUT_MS = 10_000;
// Without the remote's tokenizer, a conservative estimate: BPE vocabularies average 3–4 bytes per token.
const BYTES_PER_TOKEN = 3;

/**
 * Generates on an OpenAI-compatible server (vLLM, llama.cpp server, LocalAI, Ollama, another Mneme…) through
 * its streaming chat-completions API: the same bounded slots, metering, spans and errors as the in-process
 * engine, the caller's trace continued in the remote's (traceparent), images sent as image_url parts when the
 * remote model takes them (MNEME_LLM_REMOTE_VISION).
 */
export class OpenAiRemoteEngine extends MeteredEngine {
  private readonly remote: RemoteLlmConfig;
  private readonly where: string;
  private listed: string[] = [];
  private state: ModelState = 'unloaded';
  private lastError: string | undefined;

  constructor(private readonly config: LlmConfig) {
    super(config.parallel, config.queueLimit, 'openai-compatible');
    if (!config.remote) throw new Error('OpenAiRemoteEngine needs MNEME_LLM_REMOTE_URL');
    this.remote = config.remote;
    this.where = `the remote LLM at ${config.remote.url}`;
  }

  /** Lists the remote's models. Never fails the boot: an unreachable remote is reported and retried per request. */
  async load(): Promise<void> {
    this.state = 'loading';
    try {
      const response = await fetch(`${this.remote.url}/models`, {
        headers: this.authHeaders(),
        signal: AbortSignal.timeout(LIST_TIMEOUT_MS),
      });
      await this.refuseFailure(response);
      this.listed = modelList.parse(await response.json()).data.map((m) => m.id);
      this.state = 'ready';
      this.lastError = undefined;
      this.logger.log(
        `Generating on ${this.where}: model ${this.modelName} (listed: ${this.listed.join(', ') || 'none'})` +
          (this.remote.vision ? ', images sent to it' : ''),
      );
    } catch (error) {
      this.state = 'failed';
      this.lastError = isMnemeError(error) ? error.message : unreachable(error, this.where).message;
      this.logger.warn(`${this.lastError} — answers get MODEL_UNAVAILABLE until it is reachable.`);
    }
  }

  private get modelName(): string {
    return this.remote.model ?? this.listed[0] ?? 'default';
  }

  protected spanModel(): string {
    return this.modelName;
  }

  protected async produce(
    request: GenerateRequest,
    { signal, span, started, ctx, push }: GenerationRun,
  ): Promise<GenerationResult> {
    if (this.state !== 'ready' && !this.remote.model) await this.load(); // the model name comes from the list
    const model = this.resolveName(request.model);
    const maxTokens = request.maxTokens ?? this.config.maxTokens;
    span.setAttribute('gen_ai.request.max_tokens', maxTokens);
    const release = await this.slots.acquire(signal);
    const admitted = performance.now();
    try {
      const response = await this.post(
        toWireRequest(request, model, maxTokens),
        contextWithSpan(span, ctx.trace),
        signal,
      );
      let text = '';
      let pieces = 0;
      let finishReason: FinishReason = 'stop';
      let usage: WireChunk['usage'];
      let firstTokenAt: number | undefined;
      const scored: TokenLogprob[] = [];
      for await (const data of sseData(response)) {
        if (data === '[DONE]') break;
        const chunk = parseChunk(data, this.where);
        scored.push(...(chunk.logprobs ?? []));
        if (chunk.text) {
          firstTokenAt ??= performance.now();
          text += chunk.text;
          pieces++;
          push(chunk.text, chunk.logprobs && trimmed(chunk.logprobs, request.logprobs ?? 0));
        }
        finishReason = chunk.finishReason ?? finishReason;
        usage = chunk.usage ?? usage;
      }
      if (signal.aborted) throw abortError(signal);
      this.state = 'ready';
      return meteredResult(
        {
          text,
          model,
          finishReason,
          // A remote that sends no usage: the prompt estimated, one token per streamed piece.
          promptTokens: usage?.promptTokens ?? estimatePromptTokens(request.messages),
          cachedPromptTokens: usage?.cachedPromptTokens ?? 0,
          completionTokens: usage?.completionTokens ?? pieces,
          started,
          admitted,
          firstTokenAt,
          end: performance.now(),
          ...(request.logprobs !== undefined &&
            scored.length > 0 && { scores: remoteScores(scored, request.logprobs) }),
        },
        span,
      );
    } finally {
      release();
    }
  }

  /** The streaming response body; HTTP errors and an unreachable remote become Mneme errors. */
  private async post(
    body: Record<string, unknown>,
    trace: Parameters<typeof traceHeaders>[0],
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    let response: Response;
    try {
      response = await fetch(`${this.remote.url}/chat/completions`, {
        method: 'POST',
        headers: {
          ...this.authHeaders(),
          ...traceHeaders(trace),
          'content-type': 'application/json',
          accept: 'text/event-stream',
        },
        body: JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw abortError(signal);
      this.state = 'failed';
      this.lastError = unreachable(error, this.where).message;
      throw unreachable(error, this.where);
    }
    await this.refuseFailure(response);
    if (!response.body) throw new MnemeError(ErrorCode.MODEL_UNAVAILABLE, `${this.where} sent no body.`);
    return response.body;
  }

  private async refuseFailure(response: Response): Promise<void> {
    if (response.ok) return;
    const body = await response.text();
    throw remoteError(response.status, body, this.where, response.headers.get('retry-after'));
  }

  private resolveName(requested: string | undefined): string {
    const name = this.modelName;
    if (requested === undefined || requested === 'default' || requested === name) return name;
    if (this.listed.includes(requested)) return requested;
    throw new MnemeError(
      ErrorCode.MODEL_NOT_FOUND,
      `Unknown model "${requested}". Served models: ${[...new Set([name, ...this.listed])].join(', ')}, default.`,
    );
  }

  private authHeaders(): Record<string, string> {
    return this.remote.apiKey ? { authorization: `Bearer ${this.remote.apiKey}` } : {};
  }

  countTokens(text: string): Promise<number> {
    return Promise.resolve(Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN));
  }

  acceptsImages(): boolean {
    return this.remote.vision;
  }

  /** The remote keeps its own cache (if any); nothing of it is held here. */
  forgetCached(): Promise<number> {
    return Promise.resolve(0);
  }

  unload(): Promise<void> {
    this.state = 'unloaded';
    return Promise.resolve();
  }

  models(): ModelInfo[] {
    return [
      {
        name: this.modelName,
        state: this.state,
        source: this.remote.url,
        contextSize: this.config.contextSize,
        parallel: this.config.parallel,
        testModel: false,
        ...(this.lastError === undefined ? {} : { error: this.lastError }),
      },
    ];
  }
}

function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  const bytes = messages.reduce((sum, m) => sum + Buffer.byteLength(m.content, 'utf8'), 0);
  return Math.ceil(bytes / BYTES_PER_TOKEN) + 4 * messages.length;
}

function unreachable(error: unknown, where: string): MnemeError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (error as Error).message;
  return new MnemeError(
    ErrorCode.MODEL_UNAVAILABLE,
    `${where} is unreachable (${why}); start it or fix MNEME_LLM_REMOTE_URL.`,
    { retryAfterSeconds: 5 },
  );
}

/** A remote's scored tokens, `top` alternatives each; min-entropy from the likeliest it sent. */
function remoteScores(tokens: TokenLogprob[], top: number): GenerationScores {
  const entropies = tokens.map((t) => minEntropy([t.logprob, ...t.top.map((a) => a.logprob)]));
  return {
    tokens: trimmed(tokens, top),
    meanEntropy: entropies.reduce((sum, e) => sum + e, 0) / tokens.length,
  };
}

/** The alternatives the caller asked for (one more was asked of the remote, for the entropy). */
function trimmed(tokens: TokenLogprob[], top: number): TokenLogprob[] {
  return tokens.map((t) => ({ ...t, top: t.top.slice(0, top) }));
}
