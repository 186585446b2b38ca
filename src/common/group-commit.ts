interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: callers enqueue items and wait; one flush at a time writes everything queued so far as one
 * batch (up to `maxBatch` items), and each caller's promise settles when the batch holding its items is
 * durable. Under load many writes share one commit; alone, a write commits at once with no added delay.
 */
export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly flush: (batch: T[]) => Promise<void>,
    private readonly maxBatch = 1000,
  ) {}

  /** Items waiting for a flush (not yet handed to one). */
  get pending(): number {
    return this.queue.reduce((sum, p) => sum + p.items.length, 0);
  }

  write(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.flushing ??= this.drain();
    });
  }

  /** Resolves when the queue is empty and no flush runs (writes enqueued meanwhile are waited for too). */
  async idle(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private async drain(): Promise<void> {
    // Let writes issued in the same tick join the first batch.
    await Promise.resolve();
    while (this.queue.length > 0) {
      const batch: Pending<T>[] = [];
      let size = 0;
      while (
        this.queue.length > 0 &&
        (batch.length === 0 || size + this.queue[0]!.items.length <= this.maxBatch)
      ) {
        const next = this.queue.shift()!;
        batch.push(next);
        size += next.items.length;
      }
      try {
        await this.flush(batch.flatMap((p) => p.items));
        batch.forEach((p) => p.resolve());
      } catch (error) {
        batch.forEach((p) => p.reject(error));
      }
    }
    this.flushing = undefined;
  }
}
