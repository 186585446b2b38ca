import {
  getLlama,
  LlamaChat,
  LlamaLogLevel,
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
  type Token,
} from 'node-llama-cpp';
import type { ChatMessage } from './llm-engine.js';
import type { CacheableSequence } from './prompt-cache/prompt-cache.js';

// The only file that imports node-llama-cpp (docs/conventions.md rule 1). It speaks in Mneme's types.

export interface LlamaLoadOptions {
  modelPath: string;
  threads: number;
  contextSize: number;
  sequences: number;
}

export interface LlamaGenerateOptions {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  /** Output constrained to JSON of this schema (node-llama-cpp's GBNF subset of JSON Schema). */
  jsonSchema?: Record<string, unknown>;
  signal: AbortSignal;
  onText: (text: string) => void;
  /** Called when generated tokens are released to the caller (the first call marks time to first token). */
  onTokens: () => void;
}

export interface LlamaGenerateOutcome {
  text: string;
  stoppedBy: 'eos' | 'stop' | 'maxTokens' | 'abort';
  /** Every sampled token, including ones held back while checking for stop sequences. */
  completionTokens: number;
}

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

  // The cache only loads states saved under this model file and llama.cpp build (its folder is named after them).
  restore(file: string): Promise<void> {
    return this.raw.loadStateFromFile(file, { acceptRisk: true });
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
  ) {
    this.sequences = Array.from(
      { length: context.totalSequences },
      () => new LlamaSequence(context.getSequence()),
    );
  }

  static async load(options: LlamaLoadOptions): Promise<LlamaCppModel> {
    // build 'never': use the prebuilt binary shipped in the npm package; never compile or download at run time.
    const llama = await getLlama({
      gpu: false,
      build: 'never',
      maxThreads: options.threads,
      logLevel: LlamaLogLevel.error,
    });
    try {
      const model = await llama.loadModel({ modelPath: options.modelPath });
      const context = await model.createContext({
        contextSize: Math.min(options.contextSize, model.trainContextSize),
        sequences: options.sequences,
        threads: options.threads,
      });
      // Resolved once from the GGUF's own chat template (jinja or a known family), shared by every request.
      return new LlamaCppModel(llama, model, context, resolveChatWrapper(model));
    } catch (error) {
      await llama.dispose();
      throw error;
    }
  }

  /** Tokens per sequence (llama.cpp may round the requested size). */
  get contextSize(): number {
    return this.context.contextSize;
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
        stoppedBy: stopReasonOf(response.metadata.stopReason),
        completionTokens: sequence.raw.tokenMeter.usedOutputTokens - sampledBefore,
      };
    } finally {
      chat.dispose({ disposeSequence: false });
    }
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

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}

function stopReasonOf(reason: string): LlamaGenerateOutcome['stoppedBy'] {
  switch (reason) {
    case 'maxTokens':
      return 'maxTokens';
    case 'abort':
      return 'abort';
    case 'customStopTrigger':
    case 'stopGenerationTrigger':
      return 'stop';
    default:
      return 'eos';
  }
}

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

/** Resolves an `hf:` URI (or URL) to a local file, downloading into `directory` with a progress bar. */
export async function pullModelFile(uri: string, directory: string, signal?: AbortSignal): Promise<string> {
  return resolveModelFile(uri, { directory, cli: true, signal });
}
