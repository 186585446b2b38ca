import type { GenerationResult } from '../../engines/llm/llm-engine.js';
import type { Percept } from '../fusion/percept.js';

/** The model name an answer carries when the server answered from perception alone. */
export const PERCEPTION_ANSWERER = 'mneme-perception';

/**
 * The honest reply to a question about images in which nothing was recognized with confidence: the LLM, given
 * only unusable labels, could do nothing but invent, so it is not asked.
 */
export function unrecognizedImageReply(percept: Percept): GenerationResult {
  const guesses = percept.images
    .map((image) => image.labels[0])
    .filter((label) => label !== undefined)
    .map((label) => `${label.label} (${label.score.toFixed(2)})`);
  const text =
    `I can't tell what ${percept.images.length > 1 ? 'these images show' : 'this image shows'}: my image ` +
    'encoder recognized nothing with confidence' +
    (guesses.length ? ` (best guesses: ${[...new Set(guesses)].join(', ')}).` : '.') +
    ' Describe it in words, or ask about something else, and I will answer from that.';
  return {
    text,
    model: PERCEPTION_ANSWERER,
    finishReason: 'stop',
    usage: { promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0 },
    timings: { queueMs: 0, ttftMs: 0, totalMs: 0, tokensPerSecond: 0 },
  };
}
