import type { Logger } from '@nestjs/common';
import { isMnemeError } from '../../../common/mneme-error.js';
import { guardStorage, unavailable } from './episodic-errors.js';
import type { LanceEpisodeTable } from './lancedb-episode.table.js';

/**
 * The episodic table's one write lane: opens the table once (retried after a failure), runs every write,
 * delete and maintenance step one after another, and tracks writes still under way so a forget or a shutdown
 * can wait for them. Reads take the table directly and run concurrently.
 */
export class EpisodeLane {
  private opening: Promise<LanceEpisodeTable> | undefined;
  /** The table once open (for synchronous looks at its layout). */
  opened: LanceEpisodeTable | undefined;
  /** Set while an exclusive step runs: reads wait for it. */
  private paused: Promise<unknown> | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  /** Every tracked write from its first step (embedding included) until its commit settles. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly open: () => Promise<LanceEpisodeTable>,
    private readonly logger: Logger,
  ) {}

  async table(): Promise<LanceEpisodeTable> {
    await this.paused?.catch(() => undefined);
    return this.opening ?? this.startOpening();
  }

  private startOpening(): Promise<LanceEpisodeTable> {
    this.opening = this.open().then(
      (table) => (this.opened = table),
      (error: unknown) => {
        this.opening = undefined;
        const reason = error instanceof Error ? error.message : String(error);
        this.logger.error(`Opening episodic memory failed: ${reason}`);
        if (isMnemeError(error)) throw error;
        throw unavailable(reason, error);
      },
    );
    return this.opening;
  }

  /** Runs one write-side step after the previous one, whatever its outcome. */
  serial<T>(fn: (table: LanceEpisodeTable) => Promise<T>): Promise<T> {
    const run = this.lane
      .catch(() => undefined)
      .then(async () => guardStorage(async () => fn(await this.table())));
    this.lane = run.catch(() => undefined);
    return run;
  }

  /** A write-side step during which no read runs (it changes the columns reads select). */
  exclusive<T>(fn: (table: LanceEpisodeTable) => Promise<T>): Promise<T> {
    return this.serial(async (table) => {
      const step = fn(table);
      this.paused = step;
      try {
        return await step;
      } finally {
        this.paused = undefined;
      }
    });
  }

  /** Counts a write as under way until it settles (see settled()). */
  track<T>(write: Promise<T>): Promise<T> {
    this.inflight.add(write);
    void write.finally(() => this.inflight.delete(write)).catch(() => undefined);
    return write;
  }

  /** Resolves when every tracked write that had started before this call has settled. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  /** Waits for the lane to drain, then closes the table unless `keepOpen` (something still reads it). */
  async close(keepOpen: boolean): Promise<void> {
    await this.settled();
    await this.lane.catch(() => undefined);
    const table = await this.opening?.catch(() => undefined);
    this.opening = undefined;
    this.opened = undefined;
    if (!keepOpen) table?.close();
  }
}
