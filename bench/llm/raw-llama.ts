import { getLlama, LlamaChat, resolveChatWrapper, type ChatHistoryItem } from 'node-llama-cpp';
import type { Sample } from './stats.js';

/** The baseline: node-llama-cpp used directly, configured as the server configures it. */
export async function measureRaw(
  modelPath: string,
  options: {
    threads: number;
    contextSize: number;
    system: string;
    prompt: string;
    maxTokens: number;
    iterations: number;
  },
): Promise<Sample[]> {
  const llama = await getLlama({ gpu: false, build: 'never', maxThreads: options.threads });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({
    contextSize: options.contextSize,
    sequences: 1,
    threads: options.threads,
  });
  const chatWrapper = resolveChatWrapper(model);
  const history: ChatHistoryItem[] = [
    { type: 'system', text: options.system },
    { type: 'user', text: options.prompt },
    { type: 'model', response: [] },
  ];
  const samples: Sample[] = [];
  try {
    for (let i = 0; i <= options.iterations; i++) {
      const sequence = context.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper, autoDisposeSequence: true });
      const start = performance.now();
      let first: number | undefined;
      await chat.generateResponse(history, {
        maxTokens: options.maxTokens,
        onToken: () => {
          first ??= performance.now();
        },
      });
      const end = performance.now();
      const tokens = sequence.tokenMeter.usedOutputTokens;
      chat.dispose();
      if (i === 0 || first === undefined) continue; // warm-up
      samples.push({
        ttftMs: first - start,
        tokensPerSecond: ((tokens - 1) * 1000) / (end - first),
        completionTokens: tokens,
      });
    }
  } finally {
    await context.dispose();
    await model.dispose();
    await llama.dispose();
  }
  return samples;
}
