import { abortError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { LlmConfig } from '../../config/app-config.js';
import { meteredResult } from './generation-meter.js';
import { LlamaCppModel, pullModelFile } from './llama-cpp.adapter.js';
import type { FinishReason, GenerateRequest, GenerationResult, ModelInfo, ModelState } from './llm-engine.js';
import { MeteredEngine, type GenerationRun } from './metered-engine.js';
import { TEST_MODEL_WARNING, locateModel, type LocatedModel } from './model-locator.js';

/** node-llama-cpp in process: one GGUF, one context, `parallel` sequences served through a bounded slot pool. */
export class LlamaCppEngine extends MeteredEngine {
  private loading: Promise<LlamaCppModel> | undefined;
  private model: LlamaCppModel | undefined;
  private located: LocatedModel | undefined;
  private state: ModelState = 'unloaded';
  private loadError: string | undefined;

  constructor(private readonly config: LlmConfig) {
    super(config.parallel, config.queueLimit, 'llama.cpp');
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

  protected spanModel(): string {
    return this.located?.name ?? 'llm';
  }

  protected async produce(
    request: GenerateRequest,
    { signal, span, started, push }: GenerationRun,
  ): Promise<GenerationResult> {
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
        jsonSchema: request.jsonSchema,
        signal,
        onTokens: () => {
          firstTokenAt ??= performance.now();
        },
        onText: push,
      });
      if (outcome.stoppedBy === 'abort' || signal.aborted) throw abortError(signal);
      const finishReason: FinishReason = outcome.stoppedBy === 'maxTokens' ? 'length' : 'stop';
      return meteredResult(
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
    } finally {
      release();
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

  async unload(): Promise<void> {
    const model = this.model;
    this.model = undefined;
    this.loading = undefined;
    this.state = 'unloaded';
    await model?.dispose();
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
}
