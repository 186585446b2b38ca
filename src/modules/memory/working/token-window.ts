import type { Turn } from './working-memory.store.js';

/** Tokens a chat template spends around one message (role markers, separators); generous for ChatML. */
export const MESSAGE_OVERHEAD = 6;

/**
 * The newest turns whose tokens fit the budget, oldest first. Stops at the first turn that does not fit, so
 * the window is always a contiguous tail of the conversation (a gap would misrepresent who said what when).
 * `perTurnOverhead` accounts for the chat template's tokens around each message.
 * An assistant turn is never kept without the user turn before it, when that turn is in `turns`.
 */
export function windowByTokens(turns: readonly Turn[], budget: number, perTurnOverhead = 0): Turn[] {
  let used = 0;
  let start = turns.length;
  while (start > 0) {
    const turn = turns[start - 1]!;
    const cost = turn.tokens + perTurnOverhead;
    if (used + cost > budget) break;
    used += cost;
    start--;
  }
  // A reply without its question reads as the model talking to itself: drop a leading orphan assistant turn.
  if (start > 0 && start < turns.length && turns[start]!.role === 'assistant') start++;
  return turns.slice(start);
}
