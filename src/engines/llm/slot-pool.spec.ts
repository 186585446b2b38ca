import { deadlineError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { SlotPool } from './slot-pool.js';

type State = 'resolved' | 'rejected' | 'pending';

/** Whether a promise has settled once all pending microtasks ran. */
function stateOf(promise: Promise<unknown>): Promise<State> {
  return Promise.race([
    promise.then(
      (): State => 'resolved',
      (): State => 'rejected',
    ),
    new Promise<State>((resolve) => setImmediate(() => resolve('pending'))),
  ]);
}

const never = () => new AbortController().signal;

describe('SlotPool', () => {
  it('grants up to size slots at once, then queues', async () => {
    const pool = new SlotPool(2, 4);
    await pool.acquire(never());
    await pool.acquire(never());
    expect(pool.active).toBe(2);
    const third = pool.acquire(never());
    expect(await stateOf(third)).toBe('pending');
    expect(pool.queued).toBe(1);
  });

  it('hands a released slot to waiters in FIFO order', async () => {
    const pool = new SlotPool(1, 4);
    const first = await pool.acquire(never());
    const granted: string[] = [];
    const second = pool.acquire(never()).then((release) => (granted.push('second'), release));
    const third = pool.acquire(never()).then((release) => (granted.push('third'), release));
    expect(pool.queued).toBe(2);

    first();
    const releaseSecond = await second;
    expect(granted).toEqual(['second']);
    expect(pool.active).toBe(1);
    expect(pool.queued).toBe(1);

    releaseSecond();
    const releaseThird = await third;
    expect(granted).toEqual(['second', 'third']);
    releaseThird();
    expect(pool.active).toBe(0);
    expect(pool.queued).toBe(0);
  });

  it('refuses with OVERLOADED when the queue is full', async () => {
    const pool = new SlotPool(1, 1);
    await pool.acquire(never());
    void pool.acquire(never());
    const error: unknown = await pool.acquire(never()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MnemeError);
    const mneme = error as MnemeError;
    expect(mneme.code).toBe(ErrorCode.OVERLOADED);
    expect(mneme.retryAfterSeconds).toBe(1);
    expect(mneme.details).toEqual({ active: 1, queued: 1 });
    expect(pool.queued).toBe(1);
  });

  it('refuses at once with a zero queue limit', async () => {
    const pool = new SlotPool(1, 0);
    await pool.acquire(never());
    await expect(pool.acquire(never())).rejects.toMatchObject({ code: ErrorCode.OVERLOADED });
  });

  it('removes an aborted waiter from the queue and rejects with the abort reason', async () => {
    const pool = new SlotPool(1, 4);
    const holder = await pool.acquire(never());
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    expect(pool.queued).toBe(1);

    const reason = deadlineError(50);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(pool.queued).toBe(0);

    holder();
    expect(pool.active).toBe(0);
  });

  it('reports a non-Mneme abort reason as CANCELLED', async () => {
    const pool = new SlotPool(1, 4);
    await pool.acquire(never());
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
  });

  it('rejects an already aborted signal without taking a slot', async () => {
    const pool = new SlotPool(1, 4);
    await expect(pool.acquire(AbortSignal.abort())).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(pool.active).toBe(0);
  });

  it('ignores an abort after the slot was granted', async () => {
    const pool = new SlotPool(1, 4);
    const holder = await pool.acquire(never());
    const controller = new AbortController();
    const waiting = pool.acquire(controller.signal);
    holder();
    const release = await waiting;
    controller.abort();
    expect(pool.active).toBe(1);
    release();
    expect(pool.active).toBe(0);
  });

  it('makes release idempotent', async () => {
    const pool = new SlotPool(1, 4);
    const release = await pool.acquire(never());
    release();
    release();
    expect(pool.active).toBe(0);

    await pool.acquire(never());
    const second = pool.acquire(never());
    expect(await stateOf(second)).toBe('pending');
    expect(pool.active).toBe(1);
    expect(pool.queued).toBe(1);
  });

  it('does not grant a second waiter from a repeated release', async () => {
    const pool = new SlotPool(1, 4);
    const holder = await pool.acquire(never());
    const second = pool.acquire(never());
    const third = pool.acquire(never());
    holder();
    holder();
    expect(await stateOf(second)).toBe('resolved');
    expect(await stateOf(third)).toBe('pending');
    expect(pool.queued).toBe(1);
  });
});
