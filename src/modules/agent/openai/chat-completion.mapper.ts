import type { FinishReason, GenerationResult } from '../../../engines/llm/llm-engine.js';

/** Builds OpenAI wire objects for one completion id. */
export class ChatCompletionMapper {
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    readonly id: string,
    private readonly model: string,
  ) {}

  completion(result: GenerationResult) {
    return {
      id: this.id,
      object: 'chat.completion' as const,
      created: this.created,
      model: result.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant' as const, content: result.text, refusal: null },
          logprobs: null,
          finish_reason: result.finishReason,
        },
      ],
      usage: usageOf(result),
    };
  }

  chunk(
    delta: { role?: 'assistant'; content?: string },
    finishReason: FinishReason | null = null,
    model = this.model,
  ) {
    return {
      id: this.id,
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  }

  usageChunk(result: GenerationResult) {
    return {
      id: this.id,
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model: result.model,
      choices: [],
      usage: usageOf(result),
    };
  }
}

function usageOf(result: GenerationResult) {
  return {
    prompt_tokens: result.usage.promptTokens,
    completion_tokens: result.usage.completionTokens,
    total_tokens: result.usage.promptTokens + result.usage.completionTokens,
    prompt_tokens_details: { cached_tokens: result.usage.cachedPromptTokens },
  };
}
