import { move, Piscina, transferableSymbol, valueSymbol } from 'piscina';
import { workerExecArgv } from './worker-module.js';

// The only file that imports piscina (docs/conventions.md rule 1).

export interface WorkerPoolOptions {
  /** The worker module, as a file URL (see worker-module.ts). */
  file: URL;
  threads: number;
  /** Tasks that may wait for a thread; past it, run() fails at once (the caller answers OVERLOADED). */
  maxQueue: number;
  /** A worker's JS heap, in MB: a runaway allocation ends that worker, not the server. */
  heapMb: number;
}

/**
 * A pool of worker threads for CPU-heavy work that must not hold the event loop (decoding, resampling). Tasks
 * are plain data; results may hand their ArrayBuffers back without a copy (see transferring).
 */
export class WorkerPool {
  private readonly pool: Piscina;

  constructor(options: WorkerPoolOptions) {
    this.pool = new Piscina({
      filename: options.file.href,
      minThreads: 0,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      idleTimeout: 30_000,
      resourceLimits: { maxOldGenerationSizeMb: options.heapMb },
      execArgv: workerExecArgv(options.file),
    });
  }

  /** Runs a task; an abort ends it at once (its worker is stopped). Rejects with QueueFullError when full. */
  async run<T>(task: unknown, signal?: AbortSignal): Promise<T> {
    try {
      return (await this.pool.run(task, { signal })) as T;
    } catch (error) {
      if (error instanceof Error && /queue is at limit/i.test(error.message)) throw new QueueFullError();
      throw error;
    }
  }

  get queued(): number {
    return this.pool.queueSize;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: true });
  }
}

export class QueueFullError extends Error {
  constructor() {
    super('the worker queue is full');
    this.name = 'QueueFullError';
  }
}

/** Inside a worker: a result whose buffers move to the caller instead of being copied. */
export function transferring<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  const movable = { [transferableSymbol]: buffers, [valueSymbol]: value };
  return move(movable) as unknown as T;
}
