import type {
  FinishReason,
  GenerationResult,
  TokenChoice,
  TokenLogprob,
} from '../../../engines/llm/llm-engine.js';

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
          logprobs: logprobsOf(result.scores?.tokens),
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
    logprobs?: TokenLogprob[],
  ) {
    return {
      id: this.id,
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model,
      choices: [{ index: 0, delta, logprobs: logprobsOf(logprobs), finish_reason: finishReason }],
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

/** OpenAI's `logprobs` object of a choice or chunk: null when the request did not ask for them. */
function logprobsOf(tokens: TokenLogprob[] | undefined) {
  if (!tokens) return null;
  const wire = ({ token, logprob, bytes }: TokenChoice) => ({ token, logprob, bytes });
  return { content: tokens.map((t) => ({ ...wire(t), top_logprobs: t.top.map(wire) })), refusal: null };
}
