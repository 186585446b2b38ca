/**
 * A push-to-pull bridge: a producer pushes values (from callbacks), a consumer iterates them. Unbounded on
 * purpose for token streams: the producer is the model, which is far slower than any consumer loop.
 */
export class AsyncChannel<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | undefined;
  private failWaiting: ((error: Error) => void) | undefined;
  private closed = false;
  private failure: { error: Error } | undefined;

  constructor(private readonly onReturn: () => void = () => undefined) {}

  /** Values pushed but not yet taken (a producer that must stay bounded watches this). */
  get buffered(): number {
    return this.buffer.length;
  }

  push(value: T): void {
    if (this.closed) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.clearWaiter();
      resolve({ value, done: false });
    } else {
      this.buffer.push(value);
    }
  }

  /** Ends the stream; buffered values are still delivered. */
  close(): void {
    this.closed = true;
    if (this.waiting && this.buffer.length === 0) {
      const resolve = this.waiting;
      this.clearWaiter();
      resolve({ value: undefined, done: true });
    }
  }

  /** Ends the stream with an error, raised after buffered values. */
  fail(error: Error): void {
    if (this.closed) return;
    this.failure = { error };
    this.closed = true;
    if (this.failWaiting && this.buffer.length === 0) {
      const reject = this.failWaiting;
      this.clearWaiter();
      reject(error);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  /** The consumer stopped early (break, client gone): tell the producer at once. */
  return(): Promise<IteratorResult<T>> {
    const wasOpen = !this.closed;
    this.closed = true;
    this.buffer.length = 0;
    if (this.waiting) {
      const resolve = this.waiting;
      this.clearWaiter();
      resolve({ value: undefined, done: true });
    }
    if (wasOpen) this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private clearWaiter(): void {
    this.waiting = undefined;
    this.failWaiting = undefined;
  }
}
