import { ErrorCode } from '../../common/error-codes.js';
import { PathGate } from './path-gate.js';

const live = () => new AbortController().signal;
const tick = () => new Promise((r) => setImmediate(r));

function gate(concurrency: number, queue: number, deadlineMs = 10_000) {
  let clock = 0;
  const g = new PathGate('fast', { concurrency, queue, deadlineMs }, () => clock);
  return { g, advance: (ms: number) => (clock += ms) };
}

describe('PathGate', () => {
  it('admits up to the concurrency limit at once', async () => {
    const { g } = gate(2, 0);
    await g.enter(live());
    await g.enter(live());
    expect(g.stats).toMatchObject({ active: 2, queued: 0, admitted: 2 });
  });

  it('queues past the limit and admits in arrival order as slots free', async () => {
    const { g } = gate(1, 3);
    const release = await g.enter(live());
    const order: number[] = [];
    const waiting = [1, 2, 3].map((n) => g.enter(live()).then((r) => (order.push(n), r)));
    await tick();
    expect(g.stats).toMatchObject({ active: 1, queued: 3, peakQueued: 3 });
    release();
    (await waiting[0]!)();
    (await waiting[1]!)();
    (await waiting[2]!)();
    expect(order).toEqual([1, 2, 3]);
    expect(g.stats).toMatchObject({ active: 0, queued: 0, admitted: 4 });
  });

  it('refuses with OVERLOADED and a Retry-After when the queue is full, never growing past its bound', async () => {
    const { g } = gate(1, 2);
    await g.enter(live());
    void g.enter(live());
    void g.enter(live());
    const error = await g.enter(live()).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.OVERLOADED, details: { path: 'fast', queued: 2 } });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((error as Error).message).toMatch(/fast path is busy \(1 running, 2 waiting, queue full\)/);
    expect(g.stats).toMatchObject({ queued: 2, peakQueued: 2, refused: 1 });
  });

  it('refuses at once when the expected wait exceeds the deadline, learning service time as it goes', async () => {
    const { g, advance } = gate(1, 100, 1000);
    // Teach it that a request takes ~800 ms.
    for (let i = 0; i < 20; i++) {
      const release = await g.enter(live());
      advance(800);
      release();
    }
    await g.enter(live()); // running
    const first = g.enter(live()); // expected wait ≈ 800 ms: admitted to the queue
    expect(g.expectedWaitMs()).toBeGreaterThan(1000); // a second waiter would wait ≈ 1600 ms
    await expect(g.enter(live())).rejects.toMatchObject({ code: ErrorCode.OVERLOADED });
    expect(g.stats.queued).toBe(1);
    void first;
  });

  it('drops an aborted waiter from the queue with CANCELLED', async () => {
    const { g } = gate(1, 5);
    const release = await g.enter(live());
    const controller = new AbortController();
    const waiting = g.enter(controller.signal);
    await tick();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(g.stats.queued).toBe(0);
    release();
    expect(g.stats.active).toBe(0);
  });

  it('ignores a second release of the same admission', async () => {
    const { g } = gate(1, 1);
    const release = await g.enter(live());
    release();
    release();
    expect(g.stats.active).toBe(0);
    await g.enter(live());
    expect(g.stats.active).toBe(1);
  });
});
