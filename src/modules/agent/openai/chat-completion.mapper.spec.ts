import type { GenerationResult } from '../../../engines/llm/llm-engine.js';
import { ChatCompletionMapper } from './chat-completion.mapper.js';

const result: GenerationResult = {
  text: 'Hi there',
  model: 'qwen-served',
  finishReason: 'length',
  usage: { promptTokens: 12, cachedPromptTokens: 8, completionTokens: 5 },
  timings: { queueMs: 0, ttftMs: 10, totalMs: 50, tokensPerSecond: 100 },
};

describe('ChatCompletionMapper', () => {
  const before = Math.floor(Date.now() / 1000);
  const mapper = new ChatCompletionMapper('chatcmpl-1', 'requested-model');

  it('stamps a creation time in seconds', () => {
    expect(mapper.created).toBeGreaterThanOrEqual(before);
    expect(mapper.created).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it('builds a chat.completion with the served model and total tokens', () => {
    expect(mapper.completion(result)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: mapper.created,
      model: 'qwen-served',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hi there', refusal: null },
          logprobs: null,
          finish_reason: 'length',
        },
      ],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 5,
        total_tokens: 17,
        prompt_tokens_details: { cached_tokens: 8 },
      },
    });
  });

  it('builds chunks with the requested model and no finish reason by default', () => {
    expect(mapper.chunk({ role: 'assistant', content: '' })).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: mapper.created,
      model: 'requested-model',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
    });
  });

  it('builds a final chunk with a finish reason and model override', () => {
    const chunk = mapper.chunk({}, 'stop', 'qwen-served');
    expect(chunk.model).toBe('qwen-served');
    expect(chunk.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]);
  });

  it('builds a usage chunk with no choices', () => {
    expect(mapper.usageChunk(result)).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: mapper.created,
      model: 'qwen-served',
      choices: [],
      usage: {
        prompt_tokens: 12,
        completion_tokens: 5,
        total_tokens: 17,
        prompt_tokens_details: { cached_tokens: 8 },
      },
    });
  });
});
