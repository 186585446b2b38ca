import type { Logger } from '@nestjs/common';
import type { TextEmbedderService } from '../../embedding/text-embedder.service.js';
import type { EpisodeRecord } from './episode.record.js';
import { guardStorage } from './episodic-errors.js';
import type { EpisodeIndexes } from './episode-indexes.js';
import type { EpisodeLane } from './episode-lane.js';
import { migrating, str } from './lancedb-episode.rows.js';
import { cutover, remainingCount, staleCondition } from './vector-space.js';

/** Batches read per scan of the table for rows to re-embed. */
const READ_AHEAD = 8;

/** Where the episodic table stands against the configured text embedder. */
export interface SpaceStatus {
  /** The configured embedder: its name, width and space (a fingerprint of its weights). */
  model: string;
  dims: number;
  space: string;
  /** `current`: every episode's vector is in the configured space; `reembedding`: some still are not. */
  state: 'current' | 'reembedding';
  /** Episodes of every tenant, and those still to re-embed. */
  total: number;
  remaining: number;
  /** Episodes whose vector came from the bundled random-weight test model (re-embed them with a real one). */
  fromTestModel: number;
}

/**
 * Moves the episodic table into the configured embedder's space a batch at a time (see vector-space.ts): each
 * batch is read, embedded beside the write lane, and stored in one commit; the last step is the cutover.
 * Progress lives in the rows, so after a crash the next step simply continues.
 */
export class EpisodeReembedder {
  constructor(
    private readonly lane: EpisodeLane,
    private readonly embedder: TextEmbedderService,
    private readonly indexes: EpisodeIndexes,
    private readonly logger: Logger,
  ) {}

  /** Recall by meaning covers only the episodes re-embedded so far. */
  get degraded(): boolean {
    const table = this.lane.opened;
    return table !== undefined && migrating(table.layout);
  }

  async status(): Promise<SpaceStatus> {
    const table = await this.lane.table();
    const { name } = await this.embedder.identity();
    const { space, dims, spaceColumn } = table.layout;
    const testSpace = this.embedder.testModelSpace();
    const [total, remaining, fromTestModel] = await guardStorage(() =>
      Promise.all([
        table.countRows(),
        remainingCount(table),
        // While re-embedding, a row's old space is in vector_space until it has a new vector.
        table.countRows(
          migrating(table.layout)
            ? `(${staleCondition(table.layout)}) AND vector_space = ${str(testSpace)}`
            : `${spaceColumn} = ${str(testSpace)}`,
        ),
      ]),
    );
    const state = migrating(table.layout) ? 'reembedding' : 'current';
    return { model: name, dims, space, state, total, remaining, fromTestModel };
  }

  /**
   * Re-embeds every episode still outside the configured space in batches, then cuts over; stops after the
   * batch under way when `stop()` says so. Rows are read a few batches at a time (each read scans the table), and
   * the next batch is embedded while the last one commits.
   */
  async run(batch: number, stop: () => boolean, progress: (done: number) => void): Promise<void> {
    const table = await this.lane.table();
    for (let left = Infinity; migrating(table.layout) && !stop();) {
      // A pass that moved nothing would repeat forever (rows the store cannot update): stop and say so.
      const now = await guardStorage(() => remainingCount(table));
      if (now >= left) throw new Error(`re-embedding made no progress with ${now} episodes left`);
      left = now;
      const condition = staleCondition(table.layout);
      const chunk = distinct(await guardStorage(() => table.matching(condition, batch * READ_AHEAD)));
      if (chunk.length === 0) return this.cutover();
      let storing = Promise.resolve();
      try {
        for (let i = 0; i < chunk.length && !stop(); i += batch) {
          const part = chunk.slice(i, i + batch);
          const vectors = await this.embedder.embed(part.map((e) => e.text));
          await storing;
          storing = this.store(part, vectors).then(() => progress(part.length));
        }
      } finally {
        await storing.catch(() => undefined); // the first failure is the one thrown
      }
      await storing;
    }
  }

  /** One batch of run(): up to `limit` episodes re-embedded (answers how many), or the cutover when none remain. */
  async step(limit: number): Promise<number> {
    const table = await this.lane.table();
    if (!migrating(table.layout)) return 0;
    const stale = distinct(await guardStorage(() => table.matching(staleCondition(table.layout), limit)));
    if (stale.length === 0) {
      await this.cutover();
      return 0;
    }
    await this.store(stale, await this.embedder.embed(stale.map((e) => e.text)));
    return stale.length;
  }

  /** One commit of new vectors; compaction follows as after any write (a long re-embed is many commits). */
  private async store(episodes: EpisodeRecord[], vectors: Float32Array[]): Promise<void> {
    const rows = episodes.map(({ id, tenant, text }, i) => ({ id, tenant, text, vector: vectors[i]! }));
    const { maintenanceDue } = await this.lane.serial(async (t) => {
      await t.storeNextVectors(rows);
      return this.indexes.afterCommit(t);
    });
    if (maintenanceDue) await this.lane.serial((t) => this.indexes.maintain(t));
  }

  private cutover(): Promise<void> {
    return this.lane.exclusive(async (t) => {
      if (!migrating(t.layout)) return;
      await cutover(t);
      await this.indexes.load(t);
      this.logger.log(`Episodic memory is now in the space ${t.layout.space} (${t.layout.dims} dims)`);
    });
  }
}

/** One row per (tenant, id): a merge keyed on them must not see the same key twice in one batch. */
function distinct(episodes: EpisodeRecord[]): EpisodeRecord[] {
  const seen = new Set<string>();
  return episodes.filter((e) => {
    const key = `${e.tenant}\u0000${e.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
