import { exchangeMedia } from '../exchange-media.js';
import type { Addition, AskDeps, Responded } from './ask-state.js';

/**
 * The exchange stored before the answer is final (working turns and episodes, with what was perceived); a write
 * that fails becomes a warning on the answer, never a lost answer.
 */
export async function remember(state: Responded, deps: AskDeps): Promise<Addition<{ remembered: string[] }>> {
  const { sessionId, input, generation, percept, route, ctx } = state;
  const { ids, warnings } = await deps.memory.rememberExchange(
    {
      sessionId,
      question: input.prompt,
      answer: generation.result.text,
      media: percept && exchangeMedia(percept),
      extract: route.profile.extraction,
    },
    ctx,
  );
  return { remembered: ids, warnings };
}
