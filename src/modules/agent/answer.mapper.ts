import type { GenerationResult } from '../../engines/llm/llm-engine.js';
import { Answer, FinishReasonGql } from './models/answer.model.js';

/** Engine result → GraphQL model (explicit: the schema is a contract, the engine's types are not). */
export function toAnswer(result: GenerationResult, sessionId: string | undefined, traceId: string): Answer {
  return {
    text: result.text,
    model: result.model,
    finishReason: result.finishReason === 'length' ? FinishReasonGql.LENGTH : FinishReasonGql.STOP,
    usage: {
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      totalTokens: result.usage.promptTokens + result.usage.completionTokens,
    },
    timings: { ...result.timings },
    sessionId: sessionId ?? null,
    traceId,
  };
}
