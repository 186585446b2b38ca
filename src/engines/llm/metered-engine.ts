import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { abortError, shuttingDownError } from '../../common/abort.js';
import { AsyncChannel } from '../../common/async-channel.js';
import type { CallContext } from '../../common/call-context.js';
import { isMnemeError } from '../../common/mneme-error.js';
import { endSpan, isCancellation } from '../../telemetry/tracing.js';
import { asError, drainInFlight, startGenerationSpan } from './generation-meter.js';
import {
  LlmEngine,
  type EngineStats,
  type GenerateRequest,
  type GenerationEvent,
  type GenerationResult,
  type TokenLogprob,
} from './llm-engine.js';
import { SlotPool } from './slot-pool.js';

/** What one generation gets from the engine frame: its abort signal, span, start mark and token sink. */
export interface GenerationRun {
  signal: AbortSignal;
  span: Span;
  /** performance.now() when the call came in. */
  started: number;
  ctx: CallContext;
  /** Streams text, with the scores of the tokens it completes when the request asked for them. */
  push: (text: string, logprobs?: TokenLogprob[]) => void;
}

/**
 * The frame every engine shares: streaming through a channel that aborts generation when the consumer leaves,
 * a bounded slot pool (OVERLOADED when full), a gen_ai span per generation, counters, and drain on shutdown.
 * Subclasses produce one result per call; the frame reports it, or its error, exactly once.
 */
export abstract class MeteredEngine extends LlmEngine implements OnApplicationShutdown {
  protected readonly logger = new Logger('LlmEngine');
  protected readonly slots: SlotPool;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private draining = false;
  private completed = 0;
  private failed = 0;
  private cancelled = 0;

  protected constructor(
    parallel: number,
    queueLimit: number,
    private readonly provider: string,
  ) {
    super();
    this.slots = new SlotPool(parallel, queueLimit);
  }

  /** The model name the generation span is named after. */
  protected abstract spanModel(): string;
  /** Runs one generation, pushing tokens as they come; acquires a slot through `this.slots` itself. */
  protected abstract produce(request: GenerateRequest, run: GenerationRun): Promise<GenerationResult>;

  /** RAM the model will hold once loaded; 0 for a model that is not in this process. */
  memoryEstimate(): Promise<number> {
    return Promise.resolve(0);
  }

  /** RAM the loaded model holds now. */
  memoryInUse(): number {
    return 0;
  }

  generate(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    const consumerGone = new AbortController();
    const channel = new AsyncChannel<GenerationEvent>(() => consumerGone.abort(abortError(ctx.signal)));
    const signal = AbortSignal.any([ctx.signal, consumerGone.signal, this.shutdown.signal]);
    const run = this.report(request, ctx, signal, channel).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return channel;
  }

  // Never rejects: every outcome is delivered through the channel.
  private async report(
    request: GenerateRequest,
    ctx: CallContext,
    signal: AbortSignal,
    channel: AsyncChannel<GenerationEvent>,
  ): Promise<void> {
    const started = performance.now();
    const span = startGenerationSpan(this.spanModel(), this.provider, request, ctx.trace);
    try {
      if (this.draining) throw shuttingDownError();
      const push = (text: string, logprobs?: TokenLogprob[]) =>
        channel.push(logprobs ? { type: 'token', text, logprobs } : { type: 'token', text });
      const result = await this.produce(request, { signal, span, started, ctx, push });
      if (signal.aborted) throw abortError(signal);
      this.completed++;
      channel.push({ type: 'done', result });
      channel.close();
      endSpan(span);
    } catch (error) {
      const reported = signal.aborted && !isMnemeError(error) ? abortError(signal) : asError(error);
      if (isCancellation(reported)) this.cancelled++;
      else this.failed++;
      endSpan(span, reported);
      channel.fail(reported);
    }
  }

  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    await drainInFlight(this.inFlight, graceMs, () => this.shutdown.abort(shuttingDownError()), this.logger);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain(0);
    await this.unload();
  }

  stats(): EngineStats {
    return {
      active: this.slots.active,
      queued: this.slots.queued,
      completed: this.completed,
      failed: this.failed,
      cancelled: this.cancelled,
    };
  }
}
