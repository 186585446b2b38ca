import type { Logger } from '@nestjs/common';
import type { Context, Span } from '@opentelemetry/api';
import { startSpan } from '../../telemetry/tracing.js';
import type { FinishReason, GenerateRequest, GenerationResult, GenerationScores } from './llm-engine.js';

/** The gen_ai span every engine opens per generation (OpenTelemetry GenAI semantic conventions). */
export function startGenerationSpan(
  model: string,
  provider: string,
  request: GenerateRequest,
  trace: Context,
): Span {
  return startSpan(`chat ${model}`, trace, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': provider,
    'gen_ai.request.model': request.model ?? 'default',
    ...(request.temperature === undefined ? {} : { 'gen_ai.request.temperature': request.temperature }),
    ...(request.topP === undefined ? {} : { 'gen_ai.request.top_p': request.topP }),
  });
}

export interface GenerationOutcome {
  text: string;
  model: string;
  finishReason: FinishReason;
  promptTokens: number;
  cachedPromptTokens: number;
  completionTokens: number;
  scores?: GenerationScores;
  /** performance.now() marks: call start, slot acquired, first token (if any), end. */
  started: number;
  admitted: number;
  firstTokenAt: number | undefined;
  end: number;
}

/** The result with its timings, also recorded on the generation span. */
export function meteredResult(outcome: GenerationOutcome, span: Span): GenerationResult {
  const { started, admitted, firstTokenAt, end, completionTokens, finishReason, model } = outcome;
  const decodeMs = firstTokenAt === undefined ? 0 : end - firstTokenAt;
  const result: GenerationResult = {
    text: outcome.text,
    model,
    finishReason,
    usage: {
      promptTokens: outcome.promptTokens,
      cachedPromptTokens: outcome.cachedPromptTokens,
      completionTokens,
    },
    timings: {
      queueMs: round(admitted - started),
      ttftMs: round((firstTokenAt ?? end) - started),
      totalMs: round(end - started),
      tokensPerSecond: decodeMs > 0 ? round(((completionTokens - 1) * 1000) / decodeMs) : 0,
    },
    ...(outcome.scores && { scores: outcome.scores }),
  };
  span.setAttributes({
    'gen_ai.response.model': model,
    'gen_ai.response.finish_reasons': [finishReason],
    'gen_ai.usage.input_tokens': outcome.promptTokens,
    'gen_ai.usage.cache_read.input_tokens': outcome.cachedPromptTokens,
    'gen_ai.usage.output_tokens': completionTokens,
    'mneme.llm.queue_ms': result.timings.queueMs,
    'mneme.llm.ttft_ms': result.timings.ttftMs,
    'mneme.llm.tokens_per_second': result.timings.tokensPerSecond,
  });
  return result;
}

/** Waits for in-flight generations up to `graceMs`, then cancels the rest and waits for them to settle. */
export async function drainInFlight(
  inFlight: ReadonlySet<Promise<void>>,
  graceMs: number,
  cancel: () => void,
  logger: Logger,
): Promise<void> {
  const settled = () => Promise.allSettled([...inFlight]);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([settled(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  if (inFlight.size > 0) {
    logger.warn(`Cancelling ${inFlight.size} generation(s) still running after ${graceMs} ms`);
    cancel();
    await settled();
  }
}

export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
