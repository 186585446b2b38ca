/** What ranking needs to know about a recalled episode. */
export interface RankCandidate {
  id: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** 0..1. */
  importance: number;
}

export interface RankWeights {
  /** Reciprocal-rank-fusion constant: larger flattens the gap between first and tenth place. */
  rrfK: number;
  /** How much a brand-new episode is lifted over an old one, relative to relevance (0 = not at all). */
  recency: number;
  /** Age at which the recency lift halves. */
  halfLifeMs: number;
  /** How much importance 1 is lifted over importance 0. */
  importance: number;
}

export const DEFAULT_RANK_WEIGHTS: RankWeights = {
  rrfK: 60,
  recency: 0.3,
  halfLifeMs: 7 * 24 * 3600 * 1000,
  importance: 0.3,
};

export interface RankedEpisode<T> {
  item: T;
  score: number;
  /** 1-based rank in the vector list / the full-text list / the media list, when it appeared there. */
  vectorRank: number | undefined;
  textRank: number | undefined;
  mediaRank: number | undefined;
}

/**
 * Hybrid ranking: reciprocal rank fusion of the vector, full-text and (for cross-modal recall) media result
 * lists — rank-based, so the searches' incomparable scores never need calibrating — then lifted multiplicatively by recency and importance
 * so relevance stays the first criterion. Ties break by newer first, then id, so the order is deterministic.
 */
export function rankHybrid<T extends RankCandidate>(
  vector: readonly T[],
  text: readonly T[],
  now: number,
  weights: RankWeights = DEFAULT_RANK_WEIGHTS,
  media: readonly T[] = [],
): RankedEpisode<T>[] {
  const byId = new Map<string, RankedEpisode<T>>();
  const add = (list: readonly T[], which: 'vectorRank' | 'textRank' | 'mediaRank') => {
    list.forEach((item, index) => {
      const entry = byId.get(item.id) ?? {
        item,
        score: 0,
        vectorRank: undefined,
        textRank: undefined,
        mediaRank: undefined,
      };
      if (entry[which] !== undefined) return; // a duplicate within one list counts once
      entry[which] = index + 1;
      entry.score += 1 / (weights.rrfK + index + 1);
      byId.set(item.id, entry);
    });
  };
  add(vector, 'vectorRank');
  add(text, 'textRank');
  add(media, 'mediaRank');
  const ranked = [...byId.values()].map((entry) => {
    const age = Math.max(0, now - entry.item.createdAt);
    const recency = Math.pow(0.5, age / weights.halfLifeMs);
    const importance = Math.min(1, Math.max(0, entry.item.importance));
    const lift = 1 + weights.recency * recency + weights.importance * importance;
    return { ...entry, score: entry.score * lift };
  });
  return ranked.sort(
    (a, b) => b.score - a.score || b.item.createdAt - a.item.createdAt || a.item.id.localeCompare(b.item.id),
  );
}
