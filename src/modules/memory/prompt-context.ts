import type { Turn } from './working/working-memory.store.js';

/** A current fact about an entity the request names, rendered as one line. */
export interface RecalledFact {
  id: string;
  text: string;
}

export interface RecalledEpisode {
  id: string;
  role: string;
  /** What goes into the prompt: the summary of the episode. */
  text: string;
  createdAt: number;
}

/** What memory contributes to one prompt. */
export interface PromptParts {
  turns: readonly Turn[];
  facts: readonly RecalledFact[];
  episodes: readonly RecalledEpisode[];
  /** The session's summary of the turns that overflowed its window (they come right before `turns`). */
  summary?: RecalledEpisode;
}

/** Takes items in order while their token costs fit the budget; skips (not stops at) one that is too big. */
export function fitToBudget<T>(items: readonly T[], cost: (item: T) => number, budget: number): T[] {
  const kept: T[] = [];
  let used = 0;
  for (const item of items) {
    const c = cost(item);
    if (used + c > budget) continue;
    used += c;
    kept.push(item);
  }
  return kept;
}
