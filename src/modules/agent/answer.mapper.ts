import { enumValue } from '../../graphql/enum-value.js';
import type { MemoryTierName } from '../memory/memory.types.js';
import type { MemoryTierGql } from '../memory/models/memory.model.js';
import type { PathGql } from '../routing/models/route.model.js';
import { toPerception } from '../fusion/perception.mapper.js';
import type { TokenChoice } from '../../engines/llm/llm-engine.js';
import type { AgentAnswer } from './agent.service.js';
import { Answer, FinishReasonGql } from './models/answer.model.js';

const tierOf = (tier: MemoryTierName) => enumValue<MemoryTierGql>(tier);

/** Pipeline answer → GraphQL model (explicit: the schema is a contract, the engine's types are not). */
export function toAnswer(
  answer: AgentAnswer,
  traceId: string,
  asked: { debug?: boolean | undefined; logprobs?: number | undefined },
): Answer {
  const { result, memory } = answer;
  const scored = asked.logprobs === undefined ? undefined : result.scores?.tokens;
  return {
    text: result.text,
    model: result.model,
    finishReason: enumValue<FinishReasonGql>(result.finishReason),
    usage: {
      promptTokens: result.usage.promptTokens,
      cachedPromptTokens: result.usage.cachedPromptTokens,
      completionTokens: result.usage.completionTokens,
      totalTokens: result.usage.promptTokens + result.usage.completionTokens,
    },
    timings: { ...result.timings },
    sessionId: answer.sessionId,
    memory: {
      used: memory.used.map((m) => ({ id: m.id, tier: tierOf(m.tier) })),
      remembered: memory.remembered,
      degraded: memory.degraded.map(tierOf),
      skipped: memory.skipped.map(tierOf),
      warnings: memory.warnings,
    },
    route: {
      path: enumValue<PathGql>(answer.route.path),
      reason: answer.route.reason,
      scores: { ...answer.route.scores },
      steppedDown: answer.route.steppedDown,
      escalated: answer.route.escalated,
    },
    consistency: answer.consistency ? { ...answer.consistency } : null,
    perception: answer.perception ? toPerception(answer.perception) : null,
    context: asked.debug ? answer.context.map((m) => ({ role: m.role, content: m.content })) : null,
    tokens: scored?.map((t) => ({ ...choiceOf(t), top: t.top.map(choiceOf) })) ?? null,
    meanEntropy: result.scores?.meanEntropy ?? null,
    traceId,
  };
}

function choiceOf({ token, logprob, bytes }: TokenChoice): TokenChoice {
  return { token, logprob, bytes };
}
