import { SlidingHistogram } from './sliding-histogram.js';

describe('SlidingHistogram', () => {
  it('reports percentiles within 1% and counts errors', () => {
    const h = new SlidingHistogram(60_000);
    for (let i = 1; i <= 1000; i++) h.record(i / 10, i % 50 === 0, 1_000);
    const s = h.stats(1_000);
    expect(s.count).toBe(1000);
    expect(s.errors).toBe(20);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(Math.abs(s.p95 - 95) / 95).toBeLessThan(0.01);
    expect(Math.abs(s.p99 - 99) / 99).toBeLessThan(0.01);
  });

  it('keeps sub-millisecond latencies apart (microsecond resolution)', () => {
    const h = new SlidingHistogram(60_000);
    for (let i = 0; i < 100; i++) h.record(i < 50 ? 0.05 : 0.4, false, 0);
    const s = h.stats(0);
    expect(s.p50).toBeCloseTo(0.05, 2);
    expect(s.p99).toBeCloseTo(0.4, 2);
  });

  it('forgets observations a slice at a time as the window slides past them', () => {
    const h = new SlidingHistogram(10_000, 10); // 1 s slices
    h.record(500, false, 0);
    h.record(5, false, 5_500);
    expect(h.stats(9_000)).toMatchObject({ count: 2, p99: expect.closeTo(500, -1) });
    // At 10.5 s the first slice (0–1 s) has left the window; the second has not.
    expect(h.stats(10_500)).toMatchObject({ count: 1, p99: expect.closeTo(5, 0) });
    expect(h.stats(16_000).count).toBe(0);
    // A reused slot starts empty.
    h.record(7, true, 20_200);
    expect(h.stats(20_200)).toMatchObject({ count: 1, errors: 1 });
  });

  it('counts a failure without a latency (NaN) as an error only', () => {
    const h = new SlidingHistogram(1000);
    h.record(Number.NaN, true, 0);
    expect(h.stats(0)).toEqual({ count: 1, errors: 1, cancelled: 0, p50: 0, p95: 0, p99: 0 });
  });
});
