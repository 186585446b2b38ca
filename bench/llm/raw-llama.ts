import {
  getLlama,
  LlamaChat,
  resolveChatWrapper,
  type ChatHistoryItem,
  type ChatWrapper,
  type Llama,
  type LlamaContext,
  type LlamaModel,
} from 'node-llama-cpp';
import type { Sample } from './stats.js';

export interface RawOptions {
  threads: number;
  contextSize: number;
  system: string;
  prompt: string;
  maxTokens: number;
}

/** node-llama-cpp as the server configures it (prebuilt CPU binary, its threads), one sequence. */
export async function loadOneSequence(
  modelPath: string,
  options: { threads: number; contextSize: number },
): Promise<{ llama: Llama; model: LlamaModel; context: LlamaContext }> {
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: options.threads });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({
    contextSize: options.contextSize,
    sequences: 1,
    threads: options.threads,
  });
  return { llama, model, context };
}

/** The baseline: node-llama-cpp used directly, configured as the server configures it. */
export class RawLlama {
  private constructor(
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly chatWrapper: ChatWrapper,
    private readonly options: RawOptions,
  ) {}

  static async load(modelPath: string, options: RawOptions): Promise<RawLlama> {
    const { llama, model, context } = await loadOneSequence(modelPath, options);
    return new RawLlama(llama, model, context, resolveChatWrapper(model), options);
  }

  async sample(): Promise<Sample> {
    const history: ChatHistoryItem[] = [
      { type: 'system', text: this.options.system },
      { type: 'user', text: this.options.prompt },
      { type: 'model', response: [] },
    ];
    const sequence = this.context.getSequence();
    const chat = new LlamaChat({
      contextSequence: sequence,
      chatWrapper: this.chatWrapper,
      autoDisposeSequence: true,
    });
    const start = performance.now();
    let first: number | undefined;
    await chat.generateResponse(history, {
      maxTokens: this.options.maxTokens,
      // The moment a streaming user sees text, as askStream's client does (a partial UTF-8 token shows nothing).
      onTextChunk: (text) => {
        if (text !== '') first ??= performance.now();
      },
    });
    const end = performance.now();
    const tokens = sequence.tokenMeter.usedOutputTokens;
    chat.dispose();
    const firstAt = first ?? end;
    return {
      ttftMs: firstAt - start,
      tokensPerSecond: ((tokens - 1) * 1000) / (end - firstAt),
      completionTokens: tokens,
    };
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
