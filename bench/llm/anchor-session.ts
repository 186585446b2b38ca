import { LlamaChatSession, type Llama, type LlamaContext, type LlamaModel } from 'node-llama-cpp';
import { loadOneSequence } from './raw-llama.js';
import type { TurnSample } from './conversation-clients.js';

export interface AnchorOptions {
  threads: number;
  contextSize: number;
}

/**
 * The anchor: a plain node-llama-cpp `LlamaChatSession` on its own one-sequence context, configured as the
 * server configures its engine. It keeps its sequence between turns, so each turn evaluates only what is new.
 */
export class AnchorSession {
  private constructor(
    private readonly llama: Llama,
    readonly model: LlamaModel,
    readonly context: LlamaContext,
  ) {}

  static async load(modelPath: string, options: AnchorOptions): Promise<AnchorSession> {
    const { llama, model, context } = await loadOneSequence(modelPath, options);
    return new AnchorSession(llama, model, context);
  }

  /** Plays `turns` as one conversation on a fresh sequence, greedy, `maxTokens` new tokens per answer. */
  async converse(system: string, turns: readonly string[], maxTokens: number): Promise<TurnSample[]> {
    const sequence = this.context.getSequence();
    const chat = new LlamaChatSession({
      contextSequence: sequence,
      systemPrompt: system,
      autoDisposeSequence: true,
    });
    const samples: TurnSample[] = [];
    try {
      for (const [index, text] of turns.entries()) {
        const inputBefore = sequence.tokenMeter.usedInputTokens;
        const outputBefore = sequence.tokenMeter.usedOutputTokens;
        let promptTokens = 0;
        let evaluated = 0;
        let first: number | undefined;
        const start = performance.now();
        await chat.prompt(text, {
          maxTokens,
          temperature: 0,
          // The moment a streaming user sees text; the sequence then holds exactly the evaluated prompt.
          onTextChunk: (chunk) => {
            if (chunk === '' || first !== undefined) return;
            first = performance.now();
            promptTokens = sequence.nextTokenIndex;
            evaluated = sequence.tokenMeter.usedInputTokens - inputBefore;
          },
        });
        const end = performance.now();
        const completionTokens = sequence.tokenMeter.usedOutputTokens - outputBefore;
        const firstAt = first ?? end;
        samples.push({
          session: 0,
          turn: index + 1,
          promptTokens,
          cachedTokens: Math.max(0, promptTokens - evaluated),
          ttftMs: firstAt - start,
          queueMs: 0,
          tokensPerSecond: ((completionTokens - 1) * 1000) / Math.max(1e-9, end - firstAt),
          completionTokens,
        });
      }
    } finally {
      chat.dispose();
    }
    return samples;
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
    await this.llama.dispose();
  }
}
