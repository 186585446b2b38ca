import type { SloConfig } from '../../config/telemetry.config.js';
import { SloTracker } from './slo-tracker.js';

const config = (over: Partial<SloConfig> = {}): SloConfig => ({
  targets: new Map([['memory.semantic', 200]]),
  windowMs: 60_000,
  minSamples: 5,
  alertFactor: 2,
  alertErrorRate: 0.05,
  alertQueueDepth: 8,
  checkMs: 1000,
  shedOnFast: new Set(['memory.semantic']),
  ...over,
});
const semantic = (durationMs: number, failed = false) => ({
  name: 'memory.semantic',
  durationMs,
  failed,
  attributes: {},
});

describe('SloTracker', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 1_000_000));

  it('reports stages that ran, with their target, and breaches only with enough samples', () => {
    const tracker = new SloTracker(config(), clock);
    for (let i = 0; i < 4; i++) tracker.observe(semantic(300));
    tracker.observe({ name: 'fusion.align', durationMs: 1, failed: false, attributes: {} });
    const [align, before] = tracker.statuses();
    expect(align).toMatchObject({ name: 'fusion.align', target: undefined, breached: false, count: 1 });
    expect(before).toMatchObject({ name: 'memory.semantic', target: 200, count: 4, breached: false });
    tracker.observe(semantic(300));
    const [, sem] = tracker.statuses();
    expect(sem).toMatchObject({ breached: true, unit: 'ms' });
    expect(sem!.p95).toBeCloseTo(300, -1);
  });

  it('caches the fast path’s breach check for a second', () => {
    const tracker = new SloTracker(config(), clock);
    expect(tracker.breached('memory.semantic')).toBeUndefined();
    for (let i = 0; i < 5; i++) tracker.observe(semantic(300));
    expect(tracker.breached('memory.semantic')).toBeUndefined(); // cached
    now += 1000;
    expect(tracker.breached('memory.semantic')?.p95).toBeGreaterThan(200);
  });

  it('fires an alert once when p95 passes twice the target and clears it when it falls back', () => {
    const tracker = new SloTracker(config(), clock);
    for (let i = 0; i < 5; i++) tracker.observe(semantic(300)); // over target, under 2×
    expect(tracker.evaluate(0)).toEqual([]);
    for (let i = 0; i < 20; i++) tracker.observe(semantic(500));
    const [fired] = tracker.evaluate(0);
    expect(fired).toMatchObject({
      kind: 'latency',
      subject: 'memory.semantic',
      firing: true,
      threshold: 400,
    });
    expect(tracker.evaluate(0)).toEqual([]); // still firing: no repeat
    expect(tracker.firing()).toHaveLength(1);
    now += 61_000; // the window slides past every sample
    for (let i = 0; i < 5; i++) tracker.observe(semantic(20));
    expect(tracker.evaluate(0)).toEqual([expect.objectContaining({ kind: 'latency', firing: false })]);
  });

  it('alerts on an error rate over 5% and on a deep queue', () => {
    const tracker = new SloTracker(config(), clock);
    for (let i = 0; i < 19; i++) tracker.observe(semantic(10));
    tracker.observe(semantic(10, true)); // 5%: not over
    expect(tracker.evaluate(7)).toEqual([]);
    tracker.observe(semantic(10, true));
    const alerts = tracker.evaluate(8);
    expect(alerts.map((a) => [a.kind, a.subject])).toEqual([
      ['errors', 'memory.semantic'],
      ['queue', 'llm'],
    ]);
  });

  it('counts cancellations apart: clients that leave raise no error alert and move no percentile', () => {
    const tracker = new SloTracker(config(), clock);
    for (let i = 0; i < 5; i++) tracker.observe(semantic(100));
    for (let i = 0; i < 30; i++) tracker.observe({ ...semantic(1), cancelled: true });
    const [status] = tracker.statuses();
    expect(status).toMatchObject({ count: 5, errorRate: 0, cancelled: 30 });
    expect(status!.p50).toBeCloseTo(100, -1);
    expect(tracker.evaluate(0)).toEqual([]);
  });

  it('never finds a breach for a name that is no stage', () => {
    const tracker = new SloTracker(config(), clock);
    for (let i = 0; i < 5; i++) tracker.observe(semantic(300));
    expect(tracker.breached('memory.semantic')).toBeDefined();
    // @ts-expect-error -- the compiler refuses a name that is no stage; at run time it never breaches
    expect(tracker.breached('memory.semantics')).toBeUndefined();
  });

  it('reports audio stages in ms per second of audio', () => {
    const tracker = new SloTracker(config({ targets: new Map([['transcribe.audio', 200]]) }), clock);
    tracker.observe({
      name: 'transcribe.audio',
      durationMs: 400,
      failed: false,
      attributes: { 'mneme.audio.seconds': 4 },
    });
    const [status] = tracker.statuses();
    expect(status).toMatchObject({ name: 'transcribe.audio', unit: 'ms/s', target: 200, count: 1 });
    expect(status!.p50).toBeCloseTo(100, -1);
  });
});
