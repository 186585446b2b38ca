import { abortError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';

export interface GateLimits {
  concurrency: number;
  queue: number;
  /** A request expected to wait longer than this is refused at once. */
  deadlineMs: number;
}

export interface GateStats {
  active: number;
  queued: number;
  peakQueued: number;
  admitted: number;
  refused: number;
}

interface Waiter {
  resolve: (release: () => void) => void;
  reject: (error: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

// Weight of the newest service time in the moving average behind the expected-wait estimate.
const EWMA_ALPHA = 0.2;

/**
 * Admission for one compute path: at most `concurrency` requests run, at most `queue` wait, and a request whose
 * expected wait (queue position × average service time) exceeds the deadline is refused now with OVERLOADED and a
 * Retry-After, rather than queued to time out later. Every admitted request is released exactly once.
 */
export class PathGate {
  private active = 0;
  private readonly waiting: Waiter[] = [];
  private serviceMs: number;
  private readonly counters = { peakQueued: 0, admitted: 0, refused: 0 };

  constructor(
    readonly name: string,
    private readonly limits: GateLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    // Until something has been measured, assume a request takes a quarter of its deadline.
    this.serviceMs = limits.deadlineMs / 4;
  }

  get stats(): GateStats {
    return { active: this.active, queued: this.waiting.length, ...this.counters };
  }

  /** How long a request arriving now would wait before it runs. */
  expectedWaitMs(): number {
    if (this.active < this.limits.concurrency && this.waiting.length === 0) return 0;
    return Math.ceil((this.waiting.length + 1) / this.limits.concurrency) * this.serviceMs;
  }

  /** Resolves with a release function once admitted; throws OVERLOADED when refused, CANCELLED if aborted. */
  enter(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(abortError(signal));
    if (this.active < this.limits.concurrency && this.waiting.length === 0)
      return Promise.resolve(this.admit());
    const wait = this.expectedWaitMs();
    if (this.waiting.length >= this.limits.queue || wait > this.limits.deadlineMs) {
      this.counters.refused++;
      return Promise.reject(this.overloaded(wait));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiting.indexOf(waiter);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(abortError(signal));
        },
      };
      signal.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiting.push(waiter);
      this.counters.peakQueued = Math.max(this.counters.peakQueued, this.waiting.length);
    });
  }

  private admit(): () => void {
    this.active++;
    this.counters.admitted++;
    const started = this.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.serviceMs += EWMA_ALPHA * (this.now() - started - this.serviceMs);
      this.next();
    };
  }

  private next(): void {
    while (this.active < this.limits.concurrency && this.waiting.length > 0) {
      const waiter = this.waiting.shift()!;
      waiter.signal.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(this.admit());
    }
  }

  private overloaded(waitMs: number): MnemeError {
    const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
    const full = this.waiting.length >= this.limits.queue;
    return new MnemeError(
      ErrorCode.OVERLOADED,
      `The ${this.name} path is busy (${this.active} running, ${this.waiting.length} waiting` +
        (full
          ? ', queue full'
          : `, about ${Math.round(waitMs)} ms wait > its ${this.limits.deadlineMs} ms target`) +
        `). Retry in ${retryAfterSeconds} s.`,
      {
        retryAfterSeconds,
        details: { path: this.name, queued: this.waiting.length, expectedWaitMs: Math.round(waitMs) },
      },
    );
  }
}
