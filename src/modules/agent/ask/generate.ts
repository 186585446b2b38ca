import { ErrorCode } from '../../../common/error-codes.js';
import { isMnemeError } from '../../../common/mneme-error.js';
import type { GenerateRequest, GenerationResult } from '../../../engines/llm/llm-engine.js';
import type { PromptMemory } from '../../memory/memory.types.js';
import type { Route } from '../../routing/routing.service.js';
import { tokensFor } from '../request-limits.js';
import type { AskDeps, Generation, Recalled, StreamingStep } from './ask-state.js';
import { entropyCounts } from './escalate.js';
import { assemblePrompt } from './prompt.js';
import { shrink } from './prompt-budget.js';

/**
 * One generation on a route, streaming its tokens, counted against the caller's token rate. Token estimates of
 * recalled text can miss the rendered template by a little: rather than fail a short question because of memory,
 * a CONTEXT_OVERFLOW (raised before anything is decoded) is retried with less memory.
 */
export async function* generate(
  state: Recalled,
  route: Route,
  recalled: PromptMemory,
  deps: AskDeps,
  temperature?: number,
): StreamingStep<{ generation: Generation }> {
  const { input, perception, ctx, sessionId } = state;
  let memory = recalled;
  for (let trimmed = false; ; trimmed = true) {
    const messages = assemblePrompt(deps.config.llm.systemPrompt, memory, input.prompt, perception.text);
    // A vision LLM sees the images themselves, with the question they came with.
    if (perception.images.length) messages[messages.length - 1]!.images = perception.images;
    const model = input.model ?? route.model;
    const request = {
      model,
      messages,
      maxTokens: tokensFor(input.maxTokens, route.profile),
      temperature: temperature ?? input.temperature ?? route.profile.temperature,
      sessionId,
      ...scoring(input.logprobs, input, route, deps.engine.scoresTokens(model)),
    };
    let streamed = false;
    let result: GenerationResult | undefined;
    try {
      for await (const event of deps.engine.generate(request, ctx)) {
        if (event.type === 'token') {
          streamed = true;
          yield event;
        } else result = event.result;
      }
    } catch (error) {
      const overflow = isMnemeError(error) && error.code === ErrorCode.CONTEXT_OVERFLOW;
      const smaller = overflow && !streamed ? shrink(memory) : undefined;
      if (!smaller) throw error;
      memory = smaller;
      continue;
    }
    if (!result) throw new Error('LLM engine ended a generation without a result');
    await deps.rateLimits.chargeTokens(ctx.tenant, result.usage.completionTokens);
    return {
      generation: { result, memory, messages },
      warnings: trimmed ? ['recalled memory was trimmed to fit the context'] : [],
    };
  }
}

/**
 * Tokens are scored when the caller asks, or — where the model can — when this path escalates on entropy and
 * samples at the temperature its threshold was calibrated at.
 */
function scoring(
  asked: number | undefined,
  input: Recalled['input'],
  route: Route,
  scores: boolean,
): Pick<GenerateRequest, 'logprobs' | 'logprobsIfAvailable'> {
  if (asked !== undefined) return { logprobs: asked };
  return entropyCounts(input, route) && scores ? { logprobs: 0, logprobsIfAvailable: true } : {};
}
