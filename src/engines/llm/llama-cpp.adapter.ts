import {
  getLlama,
  getLlamaGpuTypes,
  GgufInsights,
  LlamaChat,
  LlamaLogLevel,
  readGgufFileInfo,
  resolveChatWrapper,
  resolveModelFile,
  type ChatHistoryItem,
  type ChatWrapper,
  type GbnfJsonSchema,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type LlamaText,
  type Token,
} from 'node-llama-cpp';
import type {
  LlamaGenerateOptions,
  LlamaGenerateOutcome,
  LlamaLoadOptions,
  LlamaScoredOptions,
} from './llama-cpp.types.js';
import type { ChatMessage, GenerationScores } from './llm-engine.js';
import { sharedPrefix } from './prompt-cache/cache-owner.js';
import type { CacheableSequence } from './prompt-cache/prompt-cache.js';
import { decodeScored, type StepDecoder, type StepSampling } from './scored/scored-decode.js';
import type { StepScores } from './scored/token-scores.js';

// The only file that imports node-llama-cpp (docs/conventions.md rule 1). It speaks in Mneme's types.

/** One context sequence, kept for the model's lifetime so the tokens it evaluated serve the next request. */
export class LlamaSequence implements CacheableSequence {
  constructor(readonly raw: LlamaContextSequence) {}

  tokens(): readonly number[] {
    return this.raw.contextTokens;
  }

  async keepOnly(count: number): Promise<void> {
    const end = this.raw.nextTokenIndex;
    if (count < end) await this.raw.eraseContextTokenRanges([{ start: count, end }]);
  }

  async save(file: string): Promise<number> {
    return (await this.raw.saveStateToFile(file)).fileSize;
  }

  prefill(tokens: readonly number[]): Promise<void> {
    // Token is node-llama-cpp's branded number; these came from this model's tokenizer.
    return this.raw.evaluateWithoutGeneratingNewTokens(tokens as Token[]);
  }

  /** Evaluates `tokens` and samples the next one, with the logits of the likeliest candidates and the chosen. */
  async scoreNext(tokens: number[], sampling: StepSampling): Promise<StepScores | undefined> {
    const input = tokens as Token[];
    const { temperature, topP, seed, penalized, top } = sampling;
    const next = {
      token: true,
      logits: { filter: { tokens: [], includeTop: top, includeSelected: true } },
      totalLogitWeight: true,
      options: { temperature, topP, seed, repeatPenalty: { punishTokens: penalized as Token[] } },
    } as const;
    const results = await this.raw.controlledEvaluate([
      ...input.slice(0, -1),
      [input.at(-1)!, { generateNext: next }],
    ]);
    const scored = results[input.length - 1]?.next;
    if (scored?.token == null || !scored.logits || scored.totalLogitWeight === undefined) return undefined;
    return { token: scored.token, logits: scored.logits, totalLogitWeight: scored.totalLogitWeight };
  }

  // The cache only loads states saved under this model file and llama.cpp build (its folder is named after them).
  restore(file: string): Promise<void> {
    return this.raw.loadStateFromFile(file, { acceptRisk: true });
  }
}

interface Runtime {
  llama: Promise<Llama>;
  users: number;
  idle?: NodeJS.Timeout;
}
const runtimes = new Map<number, Runtime>();
// A runtime nobody uses is disposed after this long: long enough for an estimate followed by the load it precedes.
const RUNTIME_IDLE_MS = 10_000;

/**
 * One llama.cpp runtime per thread count, shared by the process's models and estimates while any uses it:
 * starting one costs 1–2 s (it probes the prebuilt binary), which each model load and each size estimate paid
 * before. Built with 'never': the prebuilt binary shipped in the npm package, never compiled or downloaded.
 * Returns the runtime and the release to call when done with it.
 */
async function useRuntime(threads: number): Promise<{ llama: Llama; release: () => void }> {
  let runtime = runtimes.get(threads);
  if (!runtime) {
    const llama = getLlama({
      gpu: false,
      build: 'never',
      maxThreads: threads,
      logLevel: LlamaLogLevel.error,
    });
    runtime = { llama, users: 0 };
    runtimes.set(threads, runtime);
    llama.catch(() => runtimes.delete(threads)); // a failed start is tried again by the next user
  }
  const held = runtime;
  held.users++;
  clearTimeout(held.idle);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (--held.users > 0) return;
    held.idle = setTimeout(() => {
      if (held.users > 0 || runtimes.get(threads) !== held) return;
      runtimes.delete(threads);
      void held.llama.then((llama) => llama.dispose());
    }, RUNTIME_IDLE_MS).unref();
  };
  try {
    return { llama: await held.llama, release };
  } catch (error) {
    release();
    throw error;
  }
}

/** A loaded GGUF model with one context of N parallel sequences, chatting through the model's own template. */
export class LlamaCppModel {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  readonly sequences: readonly LlamaSequence[];

  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly releaseRuntime: () => void,
  ) {
    this.sequences = Array.from(
      { length: context.totalSequences },
      () => new LlamaSequence(context.getSequence()),
    );
  }

  static async load(options: LlamaLoadOptions): Promise<LlamaCppModel> {
    const { llama, release } = await useRuntime(options.threads);
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath });
      const context = await model.createContext({
        contextSize: Math.min(options.contextSize, model.trainContextSize),
        sequences: options.sequences,
        threads: options.threads,
      });
      // Resolved once from the GGUF's own chat template (jinja or a known family), shared by every request.
      return new LlamaCppModel(llama, model, context, resolveChatWrapper(model), release);
    } catch (error) {
      await model?.dispose();
      release();
      throw error;
    }
  }

  /** Tokens per sequence (llama.cpp may round the requested size). */
  get contextSize(): number {
    return this.context.contextSize;
  }

  /** What llama.cpp holds for this model: its weights and the context's state (all sequences). */
  get memoryBytes(): number {
    return this.model.size + this.context.stateSize;
  }

  /** Whether `generateScored` serves this model: not when its template has thought or comment segments. */
  get scoresTokens(): boolean {
    const segments = this.chatWrapper.settings.segments;
    return !segments?.thought && !segments?.comment;
  }

  get templateName(): string {
    return this.chatWrapper.wrapperName;
  }

  /** The llama.cpp build: a saved sequence state is only valid under the build (and model) that wrote it. */
  get stateFormat(): string {
    const { repo, release } = this.llama.llamaCppRelease;
    return `${repo}@${release}`;
  }

  /** The prompt's tokens: `messages` rendered with the chat template, generation prompt included. */
  promptTokens(messages: ChatMessage[]): number[] {
    const { contextText } = this.chatWrapper.generateContextState({ chatHistory: toHistory(messages) });
    return contextText.tokenize(this.model.tokenizer);
  }

  /** Tokens of plain text under this model's tokenizer (no template, no special tokens). */
  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  /**
   * Generates on `sequence` (held by the caller). Whatever prefix of the prompt the sequence already holds is
   * not evaluated again; the rest is, and the sequence keeps prompt and answer for the next request.
   */
  async generate(
    sequence: LlamaSequence,
    messages: ChatMessage[],
    options: LlamaGenerateOptions,
  ): Promise<LlamaGenerateOutcome> {
    const chat = new LlamaChat({
      contextSequence: sequence.raw,
      chatWrapper: this.chatWrapper,
      autoDisposeSequence: false,
    });
    const sampledBefore = sequence.raw.tokenMeter.usedOutputTokens;
    try {
      const grammar = options.jsonSchema ? await this.grammarFor(options.jsonSchema) : undefined;
      const response = await chat.generateResponse(toHistory(messages), {
        ...(grammar && { grammar }),
        maxTokens: options.maxTokens,
        temperature: options.temperature,
        topP: options.topP,
        seed: options.seed,
        customStopTriggers: options.stop,
        signal: options.signal,
        stopOnAbortSignal: false,
        onTextChunk: (text) => {
          if (text !== '') options.onText(text);
        },
        onToken: () => options.onTokens(),
      });
      return {
        text: response.response,
        stoppedBy: STOP_REASONS[response.metadata.stopReason] ?? 'eos',
        completionTokens: sequence.raw.tokenMeter.usedOutputTokens - sampledBefore,
      };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  }

  /**
   * Like `generate`, scoring every token. LlamaChat reports no probabilities, so this is a decode loop of its
   * own over llama.cpp's sampler (same template, stop triggers, sampling defaults and repeat penalty); it reuses
   * the prefix the sequence holds the same way. No grammar: llama.cpp's scored sampling step takes none.
   */
  async generateScored(
    sequence: LlamaSequence,
    messages: ChatMessage[],
    options: LlamaScoredOptions,
  ): Promise<LlamaGenerateOutcome & { scores: GenerationScores }> {
    const { contextText, stopGenerationTriggers } = this.chatWrapper.generateContextState({
      chatHistory: toHistory(messages),
    });
    const prompt = contextText.tokenize(this.model.tokenizer);
    // At least the prompt's last token is evaluated again: the first token is sampled from its logits.
    const keep = Math.min(sharedPrefix(sequence.tokens(), prompt), prompt.length - 1);
    await sequence.keepOnly(keep);
    const triggers = this.stopTriggers(stopGenerationTriggers);
    const decoder: StepDecoder = {
      step: (tokens, sampling) => sequence.scoreNext(tokens, sampling),
      isEnd: (token) => this.model.isEogToken(token as Token),
      text: (tokens, before) => this.model.detokenize(tokens as Token[], false, before as Token[]),
      ...(this.model.tokens.nl === null ? {} : { newline: this.model.tokens.nl }),
    };
    const stop = [...triggers.strings, ...(options.stop ?? [])];
    return decodeScored(decoder, prompt.slice(keep), {
      ...options,
      stop,
      stopRuns: triggers.runs,
      onStep: options.onTokens,
    });
  }

  /** The template's end-of-turn triggers: plain text ones as stop strings, special tokens as token runs. */
  private stopTriggers(triggers: readonly LlamaText[]): { strings: string[]; runs: number[][] } {
    const plain = (trigger: LlamaText) => trigger.values.every((v) => typeof v === 'string');
    return {
      strings: triggers
        .filter(plain)
        .map((t) => t.values.join(''))
        .filter((s) => s !== ''),
      runs: triggers.filter((t) => !plain(t)).map((t) => t.tokenize(this.model.tokenizer)),
    };
  }

  /** The grammar for a JSON schema, compiled once per distinct schema. */
  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      // The method's generic typing infers from literal schemas; ours arrive at run time.
      const create = this.llama.createGrammarForJsonSchema.bind(this.llama) as (
        schema: GbnfJsonSchema,
      ) => Promise<LlamaGrammar>;
      grammar = create(schema as GbnfJsonSchema);
      grammar.catch(() => this.grammars.delete(key));
      this.grammars.set(key, grammar);
    }
    return grammar;
  }

  /** Frees the model and its context; the llama.cpp runtime stays for the process's other models. */
  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    this.releaseRuntime();
  }
}

// How LlamaChat's stop reasons read in Mneme's terms (anything else is the end of generation).
const STOP_REASONS: Record<string, LlamaGenerateOutcome['stoppedBy']> = {
  maxTokens: 'maxTokens',
  abort: 'abort',
  customStopTrigger: 'stop',
  stopGenerationTrigger: 'stop',
};

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((m): ChatHistoryItem => {
    switch (m.role) {
      case 'system':
        return { type: 'system', text: m.content };
      case 'user':
        return { type: 'user', text: m.content };
      case 'assistant':
        return { type: 'model', response: [m.content] };
    }
  });
  // An empty model turn at the end asks the template for the assistant's generation prompt.
  history.push({ type: 'model', response: [] });
  return history;
}

/**
 * RAM a GGUF will take once loaded on the CPU with a context of `sequences` × `contextSize` tokens, from the
 * file's own header (node-llama-cpp's estimate of llama.cpp's allocations; weights counted as resident).
 */
export async function estimateGgufBytes(
  file: string,
  { contextSize, sequences, threads }: { contextSize: number; sequences: number; threads: number },
): Promise<number> {
  const info = await readGgufFileInfo(file, { logWarnings: false });
  const { llama, release } = await useRuntime(threads);
  try {
    return await estimateWith(await GgufInsights.from(info, llama), contextSize, sequences);
  } finally {
    release();
  }
}

async function estimateWith(insights: GgufInsights, contextSize: number, sequences: number): Promise<number> {
  const trained = insights.trainContextSize ?? contextSize;
  const [weights, context] = await Promise.all([
    insights.estimateModelResourceRequirementsV2({ gpuLayers: 0, useMmap: false }),
    insights.estimateContextResourceRequirementsV2({
      contextSize: Math.min(contextSize, trained),
      modelGpuLayers: 0,
      sequences,
    }),
  ]);
  return weights.cpuRam + context.cpuRam;
}

/** The GPU backends node-llama-cpp finds drivers for on this machine (`cuda`, `vulkan`, `metal`); none: []. */
export async function gpusSeen(): Promise<string[]> {
  return (await getLlamaGpuTypes('supported')).filter((gpu) => gpu !== false);
}

/** Resolves an `hf:` URI (or URL) to a local file, downloading into `directory` with a progress bar. */
export async function pullModelFile(uri: string, directory: string, signal?: AbortSignal): Promise<string> {
  return resolveModelFile(uri, { directory, cli: true, signal });
}
