import { stat } from 'node:fs/promises';
import { abortError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { LlmConfig } from '../../config/app-config.js';
import { HubClient } from '../hub/hub-client.js';
import { ModelPuller } from '../hub/model-puller.js';
import { meteredResult } from './generation-meter.js';
import { LlamaCppModel, estimateGgufBytes, pullModelFile, type LlamaSequence } from './llama-cpp.adapter.js';
import type { LlamaGenerateOutcome } from './llama-cpp.types.js';
import type { CallContext } from '../../common/call-context.js';
import type {
  CacheScope,
  FinishReason,
  GenerateRequest,
  GenerationResult,
  GenerationScores,
  ModelInfo,
  ModelState,
  PrefillRequest,
} from './llm-engine.js';
import { MeteredEngine, type GenerationRun } from './metered-engine.js';
import { TEST_MODEL_WARNING, firstLocalModel, modelFile, type ModelSpec } from './model-locator.js';
import { sharedPrefix } from './prompt-cache/cache-owner.js';
import { modelIdentity } from './prompt-cache/model-identity.js';
import { PromptCache } from './prompt-cache/prompt-cache.js';
import { StateStore } from './prompt-cache/state-store.js';

interface ServedModel {
  model: LlamaCppModel;
  cache: PromptCache<LlamaSequence>;
}

/**
 * node-llama-cpp in process: one GGUF, one context, `parallel` sequences served through a bounded slot pool, and
 * a prompt cache that keeps what each sequence evaluated for the next request sharing its prefix.
 */
export class LlamaCppEngine extends MeteredEngine {
  private loading: Promise<ServedModel> | undefined;
  private served: ServedModel | undefined;
  private file: Promise<string> | undefined;
  private estimate: Promise<number> | undefined;
  private diskBytes: number | undefined;
  private state: ModelState = 'unloaded';
  private loadError: string | undefined;

  /** Serves `spec`; without one, the default local model the configuration names (a single-model engine). */
  constructor(
    private readonly config: LlmConfig,
    private readonly spec: ModelSpec = firstLocalModel(config),
  ) {
    super(config.parallel, config.queueLimit, 'llama.cpp');
  }

  /** The GGUF, pulled into the models dir on first use when its source is an `hf:` URI or URL. */
  private modelFile(): Promise<string> {
    this.file ??= modelFile(this.spec, this.config.modelsDir, (uri, dir) => this.pull(uri, dir)).then(
      async (file) => {
        this.diskBytes = (await stat(file)).size;
        return file;
      },
    );
    this.file.catch(() => (this.file = undefined)); // a failed pull is tried again next time
    return this.file;
  }

  /** `hf:` sources through Mneme's hub puller (resumed, verified); plain URLs through node-llama-cpp. */
  private async pull(uri: string, modelsDir: string): Promise<string> {
    if (!uri.startsWith('hf:')) return pullModelFile(uri, modelsDir);
    const { endpoint, token } = this.config.hub;
    let logged = 0;
    const result = await new ModelPuller(new HubClient(endpoint, token)).pull(uri, {
      modelsDir,
      kind: 'llm',
      dtypeOf: () => 'fp32',
      onProgress: (file, received, total) => {
        const tenth = Math.floor((10 * received) / Math.max(1, total));
        if (tenth > logged)
          this.logger.log(`Pulling ${file}: ${tenth * 10}% of ${Math.round(total / 2 ** 20)} MB`);
        logged = Math.max(logged, tenth);
      },
    });
    return result.target;
  }

  /** RAM the model and its context will hold once loaded, from the GGUF's header (read once). */
  override memoryEstimate(): Promise<number> {
    this.estimate ??= this.modelFile().then((file) =>
      estimateGgufBytes(file, {
        contextSize: this.config.contextSize,
        sequences: this.config.parallel,
        threads: this.config.threads,
      }),
    );
    this.estimate.catch(() => (this.estimate = undefined));
    return this.estimate;
  }

  override memoryInUse(): number {
    return this.served?.model.memoryBytes ?? 0;
  }

  load(): Promise<void> {
    this.loading ??= this.loadServed();
    return this.loading.then(() => undefined);
  }

  private async loadServed(): Promise<ServedModel> {
    this.state = 'loading';
    try {
      const file = await this.modelFile();
      if (this.spec.testModel) this.logger.warn(TEST_MODEL_WARNING);
      const started = performance.now();
      const model = await LlamaCppModel.load({
        modelPath: file,
        threads: this.config.threads,
        contextSize: this.config.contextSize,
        sequences: this.config.parallel,
      });
      this.served = { model, cache: await this.promptCacheFor(model, file) };
      this.state = 'ready';
      this.loadError = undefined;
      this.logger.log(
        `Loaded ${this.spec.name} (${file}) in ${Math.round(performance.now() - started)} ms: ` +
          `context ${model.contextSize} × ${this.config.parallel} sequences, ${this.config.threads} threads, ` +
          `chat template ${model.templateName}`,
      );
      return this.served;
    } catch (error) {
      this.state = 'failed';
      this.loadError = (error as Error).message;
      this.loading = undefined; // the next request tries again (a pull may succeed once the network is back)
      throw error;
    }
  }

  /** The cache over the model's sequences; the server's system prompt is the part every tenant may share. */
  private async promptCacheFor(model: LlamaCppModel, file: string): Promise<PromptCache<LlamaSequence>> {
    const { enabled, dir, diskBytes } = this.config.promptCache;
    const identity = await modelIdentity(file, model.stateFormat, model.contextSize);
    const store = new StateStore(dir, identity, enabled ? diskBytes : 0);
    await store.open();
    const publicTokens = model.promptTokens([{ role: 'system', content: this.config.systemPrompt }]);
    const cache = new PromptCache(model.sequences, publicTokens, store, enabled);
    await cache.prime();
    return cache;
  }

  protected spanModel(): string {
    return this.spec.name;
  }

  protected async produce(request: GenerateRequest, run: GenerationRun): Promise<GenerationResult> {
    const { model, cache } = await this.readyModel();
    const name = this.resolveName(request.model);
    const { prompt, maxTokens } = this.fitted(model, name, request);
    run.span.setAttributes({
      'gen_ai.request.max_tokens': maxTokens,
      'gen_ai.usage.input_tokens': prompt.length,
    });
    const releaseSlot = await this.slots.acquire(run.signal);
    try {
      const admitted = performance.now();
      const lease = await cache.lease(prompt, { tenant: run.ctx.tenant, sessionId: request.sessionId });
      // Tokens prefilled for this request while its memory was recalled were evaluated for it: not cached.
      const cachedPromptTokens = lease.cachedTokens - lease.prefilledTokens;
      run.span.setAttributes({
        'gen_ai.usage.cache_read.input_tokens': cachedPromptTokens,
        'mneme.llm.prompt_cache.restored_tokens': lease.restoredTokens,
        'mneme.llm.prompt_cache.prefilled_tokens': lease.prefilledTokens,
      });
      const leased = performance.now();
      let firstTokenAt: number | undefined;
      try {
        const outcome = await this.generateOn(model, lease.sequence, request, maxTokens, run, () => {
          firstTokenAt ??= performance.now();
        });
        const times = { started: run.started, admitted, firstTokenAt, end: performance.now() };
        const tokens = { promptTokens: prompt.length, cachedPromptTokens };
        return meteredResult({ ...outcome, model: name, ...tokens, ...times }, run.span);
      } finally {
        // How long the uncached part took to evaluate tells restores whether loading a state pays.
        const evaluated = prompt.length - lease.cachedTokens;
        const evaluation =
          firstTokenAt === undefined ? undefined : { tokens: evaluated, ms: firstTokenAt - leased };
        await cache.release(lease.sequence, evaluation);
      }
    } finally {
      releaseSlot();
    }
  }

  /** The prompt's tokens and the answer's token limit; refuses images and prompts the context cannot hold. */
  private fitted(model: LlamaCppModel, name: string, request: GenerateRequest) {
    if (request.messages.some((m) => m.images?.length)) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `Model ${name} does not take images; send them through ask's images, which the server perceives itself.`,
      );
    }
    const prompt = model.promptTokens(request.messages);
    const room = model.contextSize - prompt.length;
    if (room < 1) {
      throw new MnemeError(
        ErrorCode.CONTEXT_OVERFLOW,
        `The prompt is ${prompt.length} tokens; model ${name} has a ${model.contextSize}-token context. ` +
          'Shorten the prompt or raise MNEME_LLM_CONTEXT_SIZE.',
        { details: { promptTokens: prompt.length, contextSize: model.contextSize } },
      );
    }
    // Asking for more tokens than the context has room for stops at the context's end (finish reason "length").
    return { prompt, maxTokens: Math.min(request.maxTokens ?? this.config.maxTokens, room) };
  }

  /**
   * How many alternatives to score per token; undefined: no scores. Refused where this engine cannot score —
   * with a JSON schema, or for a model whose template has thought segments (its reasoning would be scored and
   * shown as the answer) — unless the request only wanted scores where available.
   */
  private scoring(model: LlamaCppModel, name: string, request: GenerateRequest): number | undefined {
    if (request.logprobs === undefined) return undefined;
    const why = request.jsonSchema
      ? 'cannot be combined with a JSON schema response format here (llama.cpp scores tokens without a grammar)'
      : model.scoresTokens
        ? undefined
        : `are not available for model ${name}: it reasons before answering (its chat template has thought segments)`;
    if (why === undefined) return request.logprobs;
    if (request.logprobsIfAvailable) return undefined;
    throw new MnemeError(ErrorCode.BAD_REQUEST, `Token log probabilities ${why}; ask without logprobs.`);
  }

  private async generateOn(
    model: LlamaCppModel,
    sequence: LlamaSequence,
    request: GenerateRequest,
    maxTokens: number,
    { signal, push }: GenerationRun,
    onTokens: () => void,
  ): Promise<Pick<GenerationResult, 'text' | 'finishReason' | 'scores'> & { completionTokens: number }> {
    const { temperature, topP, seed, stop, jsonSchema } = request;
    const logprobs = this.scoring(model, this.spec.name, request);
    const common = { maxTokens, temperature, topP, seed, stop, signal, onTokens };
    const outcome: LlamaGenerateOutcome & { scores?: GenerationScores } =
      logprobs === undefined
        ? await model.generate(sequence, request.messages, { ...common, jsonSchema, onText: push })
        : await model.generateScored(sequence, request.messages, { ...common, top: logprobs, onText: push });
    if (outcome.stoppedBy === 'abort' || signal.aborted) throw abortError(signal);
    const finishReason: FinishReason = outcome.stoppedBy === 'maxTokens' ? 'length' : 'stop';
    const { text, completionTokens, scores } = outcome;
    return { text, finishReason, completionTokens, ...(scores && { scores }) };
  }

  /**
   * Evaluates the stable start of a coming request while its caller recalls the rest: into the session's own
   * sequence when one is free right now (never waits, never queues). The start is what every rendering of
   * `messages` plus some last user message shares: the tokens two different last messages agree on.
   */
  override async prefill(request: PrefillRequest, ctx: CallContext): Promise<void> {
    const served = this.served;
    const ours = [undefined, 'default', this.spec.name].includes(request.model);
    if (!served || !ours || !this.config.promptCache.enabled) return;
    const releaseSlot = this.slots.tryAcquire();
    if (!releaseSlot) return;
    try {
      const [a, b] = ['a', 'b'].map((last) =>
        served.model.promptTokens([...request.messages, { role: 'user', content: last }]),
      );
      const stable = a!.slice(0, sharedPrefix(a!, b!));
      await served.cache.warm(stable, { tenant: ctx.tenant, sessionId: request.sessionId });
    } catch (error) {
      // The request itself evaluates whatever was not prefilled.
      this.logger.debug(`Prefill skipped: ${(error as Error).message}`);
    } finally {
      releaseSlot();
    }
  }

  forgetCached(scope: CacheScope): Promise<number> {
    return this.served?.cache.forget(scope) ?? Promise.resolve(0);
  }

  async countTokens(text: string): Promise<number> {
    return (await this.readyModel()).model.countTokens(text);
  }

  /** Until the model is loaded its template is unknown: callers that ask should ask only where available. */
  override scoresTokens(): boolean {
    return this.served?.model.scoresTokens ?? true;
  }

  /** GGUF chat models served here are text-only (multimodal projectors are not loaded). */
  acceptsImages(): boolean {
    return false;
  }

  private async readyModel(): Promise<ServedModel> {
    if (this.served) return this.served;
    try {
      this.loading ??= this.loadServed();
      return await this.loading;
    } catch {
      throw new MnemeError(
        ErrorCode.MODEL_UNAVAILABLE,
        `The model could not be loaded: ${this.loadError ?? 'unknown'}`,
      );
    }
  }

  private resolveName(requested: string | undefined): string {
    const name = this.spec.name;
    if (requested === undefined || requested === 'default' || requested === name) return name;
    throw new MnemeError(
      ErrorCode.MODEL_NOT_FOUND,
      `Unknown model "${requested}". Served models: ${name}, default.`,
    );
  }

  async unload(): Promise<void> {
    const served = this.served;
    this.served = undefined;
    this.loading = undefined;
    this.state = 'unloaded';
    await served?.model.dispose();
  }

  models(): ModelInfo[] {
    return [
      {
        name: this.spec.name,
        state: this.state,
        source: this.spec.source,
        contextSize: this.served?.model.contextSize ?? this.config.contextSize,
        parallel: this.config.parallel,
        testModel: this.spec.testModel,
        ...(this.diskBytes === undefined ? {} : { diskBytes: this.diskBytes }),
        ...(this.loadError === undefined ? {} : { error: this.loadError }),
      },
    ];
  }
}
