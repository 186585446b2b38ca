import type { Turn } from './working-memory.store.js';

/** Tokens a chat template spends around one message (role markers, separators); generous for ChatML. */
export const MESSAGE_OVERHEAD = 6;

/**
 * The newest turns whose tokens fit the budget, oldest first. Stops at the first turn that does not fit, so
 * the window is always a contiguous tail of the conversation (a gap would misrepresent who said what when).
 * `perTurnOverhead` accounts for the chat template's tokens around each message.
 * An assistant turn is never kept without the user turn before it, when that turn is in `turns`.
 *
 * Once turns must be dropped, the window starts on a boundary of `slideTurns` turns (seq 1, 1 + slide, …): its
 * start then stays put for several turns instead of moving every turn, and so does the prompt's prefix, which
 * the engine's prompt cache reuses. The price is up to `slideTurns - 1` turns fewer in the window.
 */
export function windowByTokens(
  turns: readonly Turn[],
  budget: number,
  perTurnOverhead = 0,
  slideTurns = 1,
): Turn[] {
  let used = 0;
  let start = turns.length;
  while (start > 0) {
    const turn = turns[start - 1]!;
    const cost = turn.tokens + perTurnOverhead;
    if (used + cost > budget) break;
    used += cost;
    start--;
  }
  if (start > 0 && slideTurns > 1) {
    const boundary = turns.findIndex((t, i) => i >= start && (t.seq - 1) % slideTurns === 0);
    if (boundary >= 0) start = boundary;
  }
  // A reply without its question reads as the model talking to itself: drop a leading orphan assistant turn.
  if (start > 0 && start < turns.length && turns[start]!.role === 'assistant') start++;
  return turns.slice(start);
}
