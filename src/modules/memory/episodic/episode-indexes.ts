import type { Logger } from '@nestjs/common';
import { migrating } from './lancedb-episode.rows.js';
import type { LanceEpisodeTable } from './lancedb-episode.table.js';

// Each commit until the next compaction is a fragment every search opens (~0.5 ms per search each, measured on
// 50–200 fragments: recall went 45 → 115 ms, and 11 ms once compacted), so compaction pays off within a few
// commits. But maintenance also folds new rows into the full-text index, which costs with the table (~0.1 s at 1k
// rows, ~1 s at 20k): it runs after MIN_COMMITS commits and no more often than keeps it within MAX_SHARE of the
// time, measured from its own last run.
const MIN_COMMITS = 8;
const MAX_SHARE = 0.05;
const KEEP_VERSIONS_MS = 60_000;

/** Which indexes a search may use (an unindexed column is scanned exactly instead). */
export interface IndexedColumns {
  vector: boolean;
  text: boolean;
}

/**
 * The episodic table's indexes and upkeep: the full-text index from the first commit on, compaction and
 * version pruning every few commits (as often as their cost allows), and the ANN vector index once the table
 * passes the configured size (built beside the write lane; it takes minutes at 100k rows).
 */
export class EpisodeIndexes {
  private textIndexed = false;
  private vectorIndexed = false;
  private commitsSinceMaintenance = 0;
  private lastMaintenance = { endedAt: Number.NEGATIVE_INFINITY, ms: 0 };
  private indexing: Promise<void> | undefined;

  constructor(
    private readonly vectorIndexFrom: number,
    private readonly logger: Logger,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Reads which indexes an opened table already has. */
  async load(table: LanceEpisodeTable): Promise<void> {
    this.textIndexed = await table.hasIndex('text');
    this.vectorIndexed = await table.hasIndex('vector');
  }

  get columns(): IndexedColumns {
    return { vector: this.vectorIndexed, text: this.textIndexed };
  }

  /** A vector index build is running (it cannot be cancelled; the table must stay open under it). */
  get building(): boolean {
    return this.indexing !== undefined;
  }

  /** Resolves when the running vector index build, if any, has ended. */
  async built(): Promise<void> {
    await this.indexing;
  }

  /**
   * After a committed batch: builds the full-text index if missing, and answers whether maintenance is due.
   * The rows are committed already, so an index failure is logged, never thrown at their writers.
   */
  async afterCommit(table: LanceEpisodeTable): Promise<{ maintenanceDue: boolean }> {
    if (!this.textIndexed) {
      try {
        await table.createTextIndex();
        this.textIndexed = true;
      } catch (error) {
        this.logger.warn(
          `Building the full-text index failed (retried on the next write): ${(error as Error).message}`,
        );
      }
    }
    if (++this.commitsSinceMaintenance < MIN_COMMITS) return { maintenanceDue: false };
    const { endedAt, ms } = this.lastMaintenance;
    if (this.now() - endedAt < ms / MAX_SHARE) return { maintenanceDue: false };
    this.commitsSinceMaintenance = 0;
    return { maintenanceDue: true };
  }

  /** Compacts, folds new rows into the indexes, prunes old versions; starts the ANN build past the threshold. */
  async maintain(table: LanceEpisodeTable): Promise<void> {
    // Compaction and version cleanup could delete files the index build is reading: wait for it.
    if (this.indexing) return;
    const started = this.now();
    const stats = await table.optimize(new Date(Date.now() - KEEP_VERSIONS_MS));
    this.logger.debug(
      `Optimized: ${stats.fragmentsRemoved} fragments compacted, ${stats.versionsRemoved} versions pruned`,
    );
    // optimize() rewrites the indexes; the replaced ones stay cached with their files open (two descriptors
    // per run, found by the soak): a fresh connection lets them go.
    await table.refreshConnection();
    this.lastMaintenance = { endedAt: this.now(), ms: this.now() - started };
    const rows = await table.countRows();
    // Not during a re-embed: `vector` holds the old space then (the cutover drops it with its index).
    if (!this.vectorIndexed && !migrating(table.layout) && rows >= this.vectorIndexFrom) {
      // LanceDB commits the index alongside concurrent appends, which stay searchable unindexed meanwhile.
      this.indexing = this.buildVectorIndex(table, rows).finally(() => (this.indexing = undefined));
    }
  }

  private async buildVectorIndex(table: LanceEpisodeTable, rows: number): Promise<void> {
    const started = Date.now();
    try {
      await table.createVectorIndex(rows);
      this.vectorIndexed = true;
      this.logger.log(`Built the ANN vector index over ${rows} episodes in ${Date.now() - started} ms`);
    } catch (error) {
      this.logger.warn(
        `Building the vector index failed (next maintenance retries): ${(error as Error).message}`,
      );
    }
  }
}
