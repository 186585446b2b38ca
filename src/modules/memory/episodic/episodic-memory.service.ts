import { randomUUID } from 'node:crypto';
import { requireId } from '../../../common/ids.js';
import { mkdirSync } from 'node:fs';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { GroupCommit } from '../../../common/group-commit.js';
import { isMnemeError } from '../../../common/mneme-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { memorySpan } from '../memory-span.js';
import {
  CONSOLIDATION,
  SUMMARY_ROLE,
  type EpisodeCursor,
  type EpisodeFilter,
  type EpisodeRecord,
} from './episode.record.js';
import type { EpisodeInput, RecallQuery } from './episode-requests.js';
import type { RankedEpisode } from './hybrid-ranking.js';
import { estimateImportance, provisionalSummary } from './importance.js';
import { guardStorage, unavailable } from './episodic-errors.js';
import { hybridSearch } from './hybrid-search.js';
import { LanceEpisodeTable } from './lancedb-episode.table.js';
import { RecallAccesses } from './recall-accesses.js';
import { TextEmbedderService } from '../../embedding/text-embedder.service.js';

export type { EpisodeInput, QueryVectors, RecallQuery } from './episode-requests.js';

const MAINTAIN_EVERY_COMMITS = 50;
const DECAY_BATCH = 1000;
const KEEP_VERSIONS_MS = 60_000;
const TOUCH_FLUSH_MS = 2000;

/**
 * Episodic memory on LanceDB. Writes go through a group commit (one table version per batch, acknowledged only
 * once committed); every write, delete and maintenance step runs in one lane, reads run concurrently.
 */
@Injectable()
export class EpisodicMemoryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EpisodicMemory');
  private opening: Promise<LanceEpisodeTable> | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  private readonly commits: GroupCommit<EpisodeRecord>;
  private commitsSinceMaintenance = 0;
  private vectorIndexed = false;
  private indexing: Promise<void> | undefined;
  private textIndexed = false;
  private readonly accesses = new RecallAccesses();
  /** Every remember() from its first step (embedding included) until its commit settles. */
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly touchTimer: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly embedder: TextEmbedderService,
  ) {
    this.commits = new GroupCommit((batch) => this.serial((table) => this.commit(table, batch)));
    this.touchTimer = setInterval(() => void this.flushTouches(), TOUCH_FLUSH_MS);
    this.touchTimer.unref();
  }

  async onModuleInit(): Promise<void> {
    await this.table().catch(() => undefined); // logged; requests retry the open and get STORE_UNAVAILABLE
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.touchTimer);
    await this.settled();
    await this.flushTouches();
    await this.lane.catch(() => undefined);
    const table = await this.opening?.catch(() => undefined);
    this.opening = undefined;
    // An index build can take minutes and cannot be cancelled: leave it to process exit (it is rebuilt at
    // the next start) rather than hold shutdown past its grace period or close the table under it.
    if (!this.indexing) table?.close();
  }

  /** Stores episodes; resolves once they are committed (they survive a crash from then on). */
  remember(inputs: EpisodeInput[], ctx: CallContext): Promise<EpisodeRecord[]> {
    const run = this.span(
      'remember',
      ctx,
      () => this.store(inputs, ctx),
      (r) => r.length,
    );
    this.inflight.add(run);
    void run.finally(() => this.inflight.delete(run)).catch(() => undefined);
    return run;
  }

  private async store(inputs: EpisodeInput[], ctx: CallContext): Promise<EpisodeRecord[]> {
    if (inputs.length === 0) return [];
    await this.table();
    const vectors = await this.embedder.embed(inputs.map((i) => i.text));
    const now = Date.now();
    const records = inputs.map<EpisodeRecord>((input, i) => ({
      id: input.id ?? randomUUID(),
      tenant: ctx.tenant,
      sessionId: input.sessionId,
      role: input.role,
      text: input.text,
      summary: provisionalSummary(input.text),
      modality: input.modality ?? 'text',
      createdAt: input.createdAt ?? now,
      importance: input.importance ?? estimateImportance(input.role, input.text),
      accessCount: 0,
      lastAccessAt: 0,
      media: input.media ?? [],
      consolidation: input.extract ? CONSOLIDATION.PENDING : CONSOLIDATION.SKIPPED,
      archivedAt: 0,
      sources: input.sources ?? [],
      vector: vectors[i]!,
      ...(input.imageVector && { imageVector: input.imageVector }),
      ...(input.audioVector && { audioVector: input.audioVector }),
      ...(input.fusedVector && { fusedVector: input.fusedVector }),
    }));
    await this.commits.write(records);
    return records;
  }

  /** Resolves when every remember() that had started before this call has settled. */
  private async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  /** Hybrid recall (vector + full text, fused), best first; counts an access for each returned episode. */
  recall(query: RecallQuery, ctx: CallContext): Promise<RankedEpisode<EpisodeRecord>[]> {
    return this.span(
      'recall',
      ctx,
      async () => {
        const words = query.text.trim();
        const given = query.vectors ?? {};
        const text = given.text ?? (words ? (await this.embedder.embed([words]))[0] : undefined);
        const image = given.image ?? text ?? given.audio;
        const audio = given.audio ?? text ?? given.image;
        if (query.first <= 0 || !image || !audio) return [];
        const table = await this.table();
        const indexed = { vector: this.vectorIndexed, text: this.textIndexed };
        const ranked = await guardStorage(() =>
          hybridSearch(table, ctx.tenant, query, { text, image, audio, words }, indexed),
        );
        this.accesses.note(
          ctx.tenant,
          ranked.map((r) => r.item.id),
        );
        return ranked;
      },
      (r) => r.length,
    );
  }

  /** Episodes waiting for fact extraction, across tenants (for the consolidation worker only). */
  async pendingConsolidation(limit: number): Promise<EpisodeRecord[]> {
    const table = await this.table();
    return guardStorage(() => table.pendingConsolidation(limit));
  }

  /** Records an episode's extraction outcome: done (epoch ms) or FAILED. */
  markConsolidation(tenant: string, ids: string[], value: number): Promise<void> {
    return this.serial((table) => table.setConsolidation(tenant, ids, value));
  }

  /**
   * Decay, across tenants: live episodes whose importance × recency × use fell below the threshold are archived
   * (recall skips them) or deleted, as configured. Answers what was acted on, per episode, so forgetting can
   * cascade into the semantic tier.
   */
  async decay(now: number): Promise<EpisodeRecord[]> {
    const { action, halfLifeMs, threshold } = this.config.memory.decay;
    if (action === 'off') return [];
    const table = await this.table();
    const decayed = await guardStorage(() => table.decayed(now, halfLifeMs, threshold, DECAY_BATCH));
    const byTenant = new Map<string, string[]>();
    for (const e of decayed) byTenant.set(e.tenant, [...(byTenant.get(e.tenant) ?? []), e.id]);
    for (const [tenant, ids] of byTenant) {
      await this.serial(async (t) => {
        if (action === 'archive') await t.archive(tenant, ids, now);
        else await t.delete({ tenant, ids });
      });
    }
    return decayed;
  }

  /** Episodes of all tenants (the operator's size gauge). */
  async total(): Promise<number> {
    const table = await this.table();
    return guardStorage(() => table.countAll());
  }

  /** The caller's episodes still waiting for extraction. */
  async pendingCount(ctx: CallContext): Promise<number> {
    const table = await this.table();
    return guardStorage(() => table.countWhere(ctx.tenant, `consolidation = ${CONSOLIDATION.PENDING}`));
  }

  /** One session's episodes in time order, after a cursor. */
  list(
    sessionId: string,
    first: number,
    after: EpisodeCursor | undefined,
    ctx: CallContext,
  ): Promise<EpisodeRecord[]> {
    return this.span(
      'list',
      ctx,
      async () => {
        const table = await this.table();
        return guardStorage(() => table.list({ tenant: ctx.tenant, sessionId }, after, first));
      },
      (r) => r.length,
    );
  }

  /** The session's newest summary (see SessionSummarizer), if it has one. */
  latestSummary(sessionId: string, ctx: CallContext): Promise<EpisodeRecord | undefined> {
    return this.span(
      'summary',
      ctx,
      async () => {
        const table = await this.table();
        return guardStorage(() => table.newest({ tenant: ctx.tenant, sessionId, roles: [SUMMARY_ROLE] }));
      },
      (r) => (r ? 1 : 0),
    );
  }

  /** The session's user and assistant turns from `from` (epoch ms, inclusive) on, oldest first. */
  async turnsSince(
    sessionId: string,
    from: number | undefined,
    limit: number,
    ctx: CallContext,
  ): Promise<EpisodeRecord[]> {
    const table = await this.table();
    return guardStorage(() =>
      table.list({ tenant: ctx.tenant, sessionId, from, roles: ['user', 'assistant'] }, undefined, limit),
    );
  }

  /** The caller's episodes with these ids (others' ids simply find nothing). */
  get(ids: string[], ctx: CallContext): Promise<EpisodeRecord[]> {
    return this.span(
      'get',
      ctx,
      async () => {
        const table = await this.table();
        return guardStorage(() => table.list({ tenant: ctx.tenant, ids }, undefined, ids.length));
      },
      (r) => r.length,
    );
  }

  /** Deletes the caller's episodes in the scope; answers how many. Waits for queued writes first. */
  async forget(scope: EpisodeScope, ctx: CallContext): Promise<number> {
    return (await this.forgetIds(scope, ctx)).length;
  }

  /** Like forget(), answering the ids deleted (what the semantic tier's provenance refers to). */
  forgetIds(scope: EpisodeScope, ctx: CallContext): Promise<string[]> {
    const filter = filterOf(scope, ctx);
    return this.span(
      'forget',
      ctx,
      async () => {
        // Writes already under way (still embedding, or queued) land first, then go with the delete.
        await this.settled();
        return this.serial(async (table) => {
          const gone = await table.delete(filter);
          // A summary retells what it was written from: it goes with its originals (and so do summaries of it).
          for (let cited = gone; cited.length > 0;) {
            cited = await table.delete({ tenant: ctx.tenant, citing: cited });
            gone.push(...cited);
          }
          return gone;
        });
      },
      (ids) => ids.length,
    );
  }

  private async commit(table: LanceEpisodeTable, batch: EpisodeRecord[]): Promise<void> {
    await table.add(batch);
    if (!this.textIndexed) {
      // The rows are committed: an index failure must not reject their writers. The next commit retries.
      try {
        await table.createTextIndex();
        this.textIndexed = true;
      } catch (error) {
        this.logger.warn(
          `Building the full-text index failed (retried on the next write): ${(error as Error).message}`,
        );
      }
    }
    if (++this.commitsSinceMaintenance >= MAINTAIN_EVERY_COMMITS) {
      this.commitsSinceMaintenance = 0;
      // Maintenance runs after the acknowledged commit, so a slow compaction never delays a remember.
      void this.serial((t) => this.maintain(t)).catch((error: Error) =>
        this.logger.warn(`Maintenance failed (will retry): ${error.message}`),
      );
    }
  }

  /** Compacts, folds new rows into the indexes, prunes old versions; builds the ANN index past the threshold. */
  async maintain(table?: LanceEpisodeTable): Promise<void> {
    const run = async (t: LanceEpisodeTable) => {
      // Compaction and version cleanup could delete files the index build is reading: wait for it.
      if (this.indexing) return;
      const stats = await t.optimize(new Date(Date.now() - KEEP_VERSIONS_MS));
      this.logger.debug(
        `Optimized: ${stats.fragmentsRemoved} fragments compacted, ${stats.versionsRemoved} versions pruned`,
      );
      // optimize() rewrites the indexes; the replaced ones stay cached with their files open (two descriptors
      // per run, found by the soak): a fresh connection lets them go.
      await t.refreshConnection();
      const rows = await t.countAll();
      if (!this.vectorIndexed && !this.indexing && rows >= this.config.memory.episodic.indexThreshold) {
        // Minutes at 100k rows: built beside the write lane (LanceDB commits it alongside concurrent appends,
        // which stay searchable unindexed), so remember() never waits for it.
        this.indexing = this.buildVectorIndex(t, rows).finally(() => (this.indexing = undefined));
      }
    };
    if (table) return run(table);
    await this.settled();
    await this.serial(run);
    await this.indexing;
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

  private async flushTouches(): Promise<void> {
    if (this.accesses.size === 0) return;
    const pending = this.accesses.take();
    const at = Date.now();
    await this.serial(async (table) => {
      for (const [tenant, ids] of pending) await table.touch(tenant, ids, at);
    }).catch((error: Error) => this.logger.warn(`Recording recall accesses failed: ${error.message}`));
  }

  /** Runs one write-side step after the previous one, whatever its outcome. */
  private serial<T>(fn: (table: LanceEpisodeTable) => Promise<T>): Promise<T> {
    const run = this.lane
      .catch(() => undefined)
      .then(async () => guardStorage(async () => fn(await this.table())));
    this.lane = run.catch(() => undefined);
    return run;
  }

  private table(): Promise<LanceEpisodeTable> {
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error(`Opening episodic memory failed: ${reason}`);
      if (isMnemeError(error)) throw error;
      throw unavailable(reason, error);
    });
    return this.opening;
  }

  private async open(): Promise<LanceEpisodeTable> {
    const dir = this.config.memory.episodic.dir;
    mkdirSync(dir, { recursive: true });
    const table = await LanceEpisodeTable.open(
      dir,
      await this.embedder.identity(),
      this.config.memory.episodic.cacheBytes,
    );
    this.textIndexed = await table.hasIndex('text');
    this.vectorIndexed = await table.hasIndex('vector');
    return table;
  }

  private span<T>(
    operation: string,
    ctx: CallContext,
    fn: () => Promise<T>,
    count: (result: T) => number,
  ): Promise<T> {
    return memorySpan('episodic', operation, 'lancedb', ctx, fn, count);
  }
}

/**
 * What a forget deletes, said explicitly: an id or a session is checked here too, so an empty string can never
 * widen into the whole tenant.
 */
export type EpisodeScope = { id: string } | { sessionId: string } | { everything: true };

function filterOf(scope: EpisodeScope, ctx: CallContext): EpisodeFilter {
  if ('id' in scope) return { tenant: ctx.tenant, ids: [requireId(scope.id, 'episodeId')] };
  if ('sessionId' in scope) return { tenant: ctx.tenant, sessionId: requireId(scope.sessionId, 'sessionId') };
  return { tenant: ctx.tenant };
}
