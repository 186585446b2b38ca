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
} from 'node-llama-cpp';
import type { ChatMessage } from './llm-engine.js';

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

/** A loaded GGUF model with one context of N parallel sequences, chatting through the model's own template. */
export class LlamaCppModel {
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();

  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
  ) {}

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

  /** Prompt tokens of `messages` rendered with the chat template, generation prompt included. */
  countPromptTokens(messages: ChatMessage[]): number {
    const { contextText } = this.chatWrapper.generateContextState({ chatHistory: toHistory(messages) });
    return contextText.tokenize(this.model.tokenizer).length;
  }

  /** Tokens of plain text under this model's tokenizer (no template, no special tokens). */
  countTokens(text: string): number {
    return this.model.tokenize(text).length;
  }

  /** Generates on a free sequence; the caller guarantees one is free (it holds a slot). */
  async generate(messages: ChatMessage[], options: LlamaGenerateOptions): Promise<LlamaGenerateOutcome> {
    const sequence = await this.freeSequence();
    const chat = new LlamaChat({
      contextSequence: sequence,
      chatWrapper: this.chatWrapper,
      autoDisposeSequence: true,
    });
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
        // A fresh sequence per request: its meter counts exactly this generation's sampled tokens.
        completionTokens: sequence.tokenMeter.usedOutputTokens,
      };
    } finally {
      chat.dispose();
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

  /**
   * A disposed sequence returns to the context asynchronously (node-llama-cpp reclaims its id under a lock), so
   * right after a slot is released its sequence may not be back yet: wait for it briefly instead of failing.
   */
  private async freeSequence(): Promise<LlamaContextSequence> {
    for (let attempt = 0; ; attempt++) {
      try {
        return this.context.getSequence();
      } catch (error) {
        if (attempt >= 200 || !(error instanceof Error) || !error.message.includes('No sequences left'))
          throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
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
