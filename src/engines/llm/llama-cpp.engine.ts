import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { abortError, shuttingDownError } from '../../common/abort.js';
import { AsyncChannel } from '../../common/async-channel.js';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError, isMnemeError } from '../../common/mneme-error.js';
import type { LlmConfig } from '../../config/app-config.js';
import { endSpan } from '../../telemetry/tracing.js';
import { asError, drainInFlight, meteredResult, startGenerationSpan } from './generation-meter.js';
import { LlamaCppModel, pullModelFile } from './llama-cpp.adapter.js';
import {
  LlmEngine,
  type EngineStats,
  type FinishReason,
  type GenerateRequest,
  type GenerationEvent,
  type ModelInfo,
  type ModelState,
} from './llm-engine.js';
import { TEST_MODEL_WARNING, locateModel, type LocatedModel } from './model-locator.js';
import { SlotPool } from './slot-pool.js';

/** node-llama-cpp in process: one GGUF, one context, `parallel` sequences served through a bounded slot pool. */
export class LlamaCppEngine extends LlmEngine implements OnApplicationShutdown {
  private readonly logger = new Logger('LlmEngine');
  private readonly slots: SlotPool;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly shutdown = new AbortController();
  private loading: Promise<LlamaCppModel> | undefined;
  private model: LlamaCppModel | undefined;
  private located: LocatedModel | undefined;
  private state: ModelState = 'unloaded';
  private loadError: string | undefined;
  private draining = false;
  private completed = 0;
  private failed = 0;

  constructor(private readonly config: LlmConfig) {
    super();
    this.slots = new SlotPool(config.parallel, config.queueLimit);
  }

  load(): Promise<void> {
    this.loading ??= this.loadModel();
    return this.loading.then(() => undefined);
  }

  private async loadModel(): Promise<LlamaCppModel> {
    this.state = 'loading';
    try {
      const located = await locateModel(this.config, pullModelFile);
      this.located = located;
      if (located.testModel) this.logger.warn(TEST_MODEL_WARNING);
      const started = performance.now();
      const model = await LlamaCppModel.load({
        modelPath: located.path,
        threads: this.config.threads,
        contextSize: this.config.contextSize,
        sequences: this.config.parallel,
      });
      this.model = model;
      this.state = 'ready';
      this.logger.log(
        `Loaded ${located.name} (${located.path}) in ${Math.round(performance.now() - started)} ms: ` +
          `context ${model.contextSize} × ${this.config.parallel} sequences, ${this.config.threads} threads, ` +
          `chat template ${model.templateName}`,
      );
      return model;
    } catch (error) {
      this.state = 'failed';
      this.loadError = (error as Error).message;
      throw error;
    }
  }

  generate(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    const consumerGone = new AbortController();
    const channel = new AsyncChannel<GenerationEvent>(() => consumerGone.abort(abortError(ctx.signal)));
    const signal = AbortSignal.any([ctx.signal, consumerGone.signal, this.shutdown.signal]);
    const run = this.run(request, ctx, signal, channel).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return channel;
  }

  // Never rejects: every outcome is delivered through the channel.
  private async run(
    request: GenerateRequest,
    ctx: CallContext,
    signal: AbortSignal,
    channel: AsyncChannel<GenerationEvent>,
  ): Promise<void> {
    const started = performance.now();
    const span = startGenerationSpan(this.located?.name ?? 'llm', 'llama.cpp', request, ctx.trace);
    try {
      if (this.draining) throw shuttingDownError();
      const model = await this.readyModel();
      const name = this.resolveName(request.model);
      if (request.messages.some((m) => m.images?.length)) {
        throw new MnemeError(
          ErrorCode.BAD_REQUEST,
          `Model ${name} does not take images; send them through ask's images, which the server perceives itself.`,
        );
      }
      const promptTokens = model.countPromptTokens(request.messages);
      const room = model.contextSize - promptTokens;
      if (room < 1) {
        throw new MnemeError(
          ErrorCode.CONTEXT_OVERFLOW,
          `The prompt is ${promptTokens} tokens; model ${name} has a ${model.contextSize}-token context. ` +
            'Shorten the prompt or raise MNEME_LLM_CONTEXT_SIZE.',
          { details: { promptTokens, contextSize: model.contextSize } },
        );
      }
      // Asking for more tokens than the context has room for stops at the context's end (finish reason "length").
      const maxTokens = Math.min(request.maxTokens ?? this.config.maxTokens, room);
      span.setAttributes({
        'gen_ai.request.max_tokens': maxTokens,
        'gen_ai.usage.input_tokens': promptTokens,
      });

      const release = await this.slots.acquire(signal);
      const admitted = performance.now();
      let firstTokenAt: number | undefined;
      try {
        const outcome = await model.generate(request.messages, {
          maxTokens,
          temperature: request.temperature,
          topP: request.topP,
          seed: request.seed,
          stop: request.stop,
          signal,
          onTokens: () => {
            firstTokenAt ??= performance.now();
          },
          onText: (text) => channel.push({ type: 'token', text }),
        });
        if (outcome.stoppedBy === 'abort' || signal.aborted) throw abortError(signal);
        const finishReason: FinishReason = outcome.stoppedBy === 'maxTokens' ? 'length' : 'stop';
        const result = meteredResult(
          {
            text: outcome.text,
            model: name,
            finishReason,
            promptTokens,
            completionTokens: outcome.completionTokens,
            started,
            admitted,
            firstTokenAt,
            end: performance.now(),
          },
          span,
        );
        this.completed++;
        channel.push({ type: 'done', result });
        channel.close();
        endSpan(span);
      } finally {
        release();
      }
    } catch (error) {
      this.failed++;
      const reported = signal.aborted && !isMnemeError(error) ? abortError(signal) : asError(error);
      endSpan(span, reported);
      channel.fail(reported);
    }
  }

  async countTokens(text: string): Promise<number> {
    return (await this.readyModel()).countTokens(text);
  }

  /** GGUF chat models served here are text-only (multimodal projectors are not loaded). */
  acceptsImages(): boolean {
    return false;
  }

  private async readyModel(): Promise<LlamaCppModel> {
    if (this.model) return this.model;
    try {
      this.loading ??= this.loadModel();
      return await this.loading;
    } catch {
      throw new MnemeError(
        ErrorCode.MODEL_UNAVAILABLE,
        `The model could not be loaded: ${this.loadError ?? 'unknown'}`,
      );
    }
  }

  private resolveName(requested: string | undefined): string {
    const name = this.located?.name ?? 'default';
    if (requested === undefined || requested === 'default' || requested === name) return name;
    throw new MnemeError(
      ErrorCode.MODEL_NOT_FOUND,
      `Unknown model "${requested}". Served models: ${name}, default.`,
    );
  }

  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    await drainInFlight(this.inFlight, graceMs, () => this.shutdown.abort(shuttingDownError()), this.logger);
  }

  async unload(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.loading = undefined;
    this.state = 'unloaded';
    await model?.dispose();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain(0);
    await this.unload();
  }

  models(): ModelInfo[] {
    return [
      {
        name: this.located?.name ?? 'default',
        state: this.state,
        source: this.located?.source ?? this.config.model ?? '',
        contextSize: this.model?.contextSize ?? this.config.contextSize,
        parallel: this.config.parallel,
        testModel: this.located?.testModel ?? false,
        ...(this.loadError === undefined ? {} : { error: this.loadError }),
      },
    ];
  }

  stats(): EngineStats {
    return {
      active: this.slots.active,
      queued: this.slots.queued,
      completed: this.completed,
      failed: this.failed,
    };
  }
}
