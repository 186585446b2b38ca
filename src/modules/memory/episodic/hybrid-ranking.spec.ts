import { DEFAULT_RANK_WEIGHTS, rankHybrid, type RankCandidate } from './hybrid-ranking.js';

const NOW = 1_000_000_000_000;
const DAY = 24 * 3600 * 1000;
const ep = (id: string, ageDays = 0, importance = 0.5): RankCandidate => ({
  id,
  createdAt: NOW - ageDays * DAY,
  importance,
});
const flat = { ...DEFAULT_RANK_WEIGHTS, recency: 0, importance: 0 };

describe('rankHybrid', () => {
  it('puts an episode found by both searches above ones found by one', () => {
    const [a, b, c] = [ep('a'), ep('b'), ep('c')];
    const ranked = rankHybrid([a, b], [c, b], NOW, flat);
    expect(ranked.map((r) => r.item.id)).toEqual(['b', 'a', 'c']);
    expect(ranked[0]).toMatchObject({ vectorRank: 2, textRank: 2 });
    expect(ranked[1]).toMatchObject({ vectorRank: 1, textRank: undefined });
  });

  it('scores by reciprocal rank: 1/(k+rank) summed over the lists', () => {
    const ranked = rankHybrid([ep('a'), ep('b')], [ep('b')], NOW, flat);
    const b = ranked.find((r) => r.item.id === 'b')!;
    expect(b.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
  });

  it('lifts a recent episode over an equally relevant old one', () => {
    const ranked = rankHybrid([ep('old', 60), ep('new', 0)], [ep('new', 0), ep('old', 60)], NOW);
    expect(ranked.map((r) => r.item.id)).toEqual(['new', 'old']);
  });

  it('lifts an important episode over an equally relevant unimportant one of the same age', () => {
    const ranked = rankHybrid([ep('dull', 1, 0)], [ep('key', 1, 1)], NOW);
    expect(ranked.map((r) => r.item.id)).toEqual(['key', 'dull']);
  });

  it('keeps relevance first: a top hit in both lists beats a recent, important tail hit', () => {
    const vector = [
      ep('relevant', 90, 0),
      ...Array.from({ length: 30 }, (_, i) => ep(`v${i}`, 90, 0)),
      ep('fresh', 0, 1),
    ];
    const ranked = rankHybrid(vector, [ep('relevant', 90, 0)], NOW);
    expect(ranked[0]!.item.id).toBe('relevant');
    expect(ranked.findIndex((r) => r.item.id === 'fresh')).toBeGreaterThan(0);
  });

  it('halves the recency lift at the half-life', () => {
    const weights = { ...DEFAULT_RANK_WEIGHTS, importance: 0, recency: 1, halfLifeMs: DAY };
    const [fresh] = rankHybrid([ep('x', 0)], [], NOW, weights);
    const [dayOld] = rankHybrid([ep('x', 1)], [], NOW, weights);
    const base = 1 / 61;
    expect(fresh!.score).toBeCloseTo(base * 2, 12);
    expect(dayOld!.score).toBeCloseTo(base * 1.5, 12);
  });

  it('counts a duplicate within one list once', () => {
    const ranked = rankHybrid([ep('a'), ep('a')], [], NOW, flat);
    expect(ranked).toHaveLength(1);
    expect(ranked[0]!.score).toBeCloseTo(1 / 61, 12);
  });

  it('is deterministic on ties: newer first, then by id', () => {
    const ranked = rankHybrid([ep('b', 2)], [ep('a', 2)], NOW, flat);
    expect(ranked.map((r) => r.item.id)).toEqual(['a', 'b']);
    const byAge = rankHybrid([ep('older', 3)], [ep('newer', 1)], NOW, flat);
    expect(byAge.map((r) => r.item.id)).toEqual(['newer', 'older']);
  });

  it('returns nothing for two empty lists', () => {
    expect(rankHybrid([], [], NOW)).toEqual([]);
  });
});
