import { abortError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';

interface Waiter {
  grant: () => void;
  reject: (error: unknown) => void;
}

/**
 * N generation slots (one per context sequence) and a bounded FIFO of waiters. A full queue refuses at once
 * with OVERLOADED instead of growing; an aborted waiter leaves the queue immediately.
 */
export class SlotPool {
  private free: number;
  private readonly queue: Waiter[] = [];

  constructor(
    private readonly size: number,
    private readonly queueLimit: number,
  ) {
    this.free = size;
  }

  get active(): number {
    return this.size - this.free;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Resolves with a release function once a slot is held. */
  acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.free > 0) {
      this.free--;
      return Promise.resolve(this.releaser());
    }
    if (this.queue.length >= this.queueLimit) {
      return Promise.reject(
        new MnemeError(
          ErrorCode.OVERLOADED,
          `All ${this.size} generation slots are busy and ${this.queue.length} requests are waiting; retry shortly.`,
          { retryAfterSeconds: 1, details: { active: this.active, queued: this.queue.length } },
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(abortError(signal));
      };
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.releaser());
        },
        reject,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  /** A release function when a slot is free and nobody waits for one (never jumps the queue); else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.free === 0 || this.queue.length > 0) return undefined;
    this.free--;
    return this.releaser();
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next.grant();
      else this.free++;
    };
  }
}
