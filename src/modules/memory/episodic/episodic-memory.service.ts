import { requireId } from '../../../common/ids.js';
import { mkdirSync } from 'node:fs';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { GroupCommit } from '../../../common/group-commit.js';
import { AppConfig } from '../../../config/app-config.js';
import { memorySpan } from '../memory-span.js';
import {
  CONSOLIDATION,
  SUMMARY_ROLE,
  type EpisodeCursor,
  type EpisodeFilter,
  type EpisodeRecord,
  type EpisodeRevision,
} from './episode.record.js';
import { SessionIndex, type SessionInfo } from '../sessions.js';
import {
  filterOf,
  newRecord,
  type EpisodeChange,
  type EpisodeInput,
  type EpisodeScope,
  type RecallQuery,
} from './episode-requests.js';
import type { RankedEpisode } from './hybrid-ranking.js';
import { provisionalSummary } from './importance.js';
import { EpisodeReembedder } from './episode-reembedder.js';
import { guardStorage } from './episodic-errors.js';
import { EpisodeIndexes } from './episode-indexes.js';
import { EpisodeLane } from './episode-lane.js';
import { hybridSearch } from './hybrid-search.js';
import { LanceEpisodeTable } from './lancedb-episode.table.js';
import { RecallAccesses } from './recall-accesses.js';
import { TextEmbedderService } from '../../embedding/text-embedder.service.js';

export type { EpisodeInput, EpisodeScope, QueryVectors, RecallQuery } from './episode-requests.js';

const DECAY_BATCH = 1000;
const TOUCH_FLUSH_MS = 2000;
const TOUCHED = (at: number) => ({ access_count: 'access_count + 1', last_access_at: String(at) });

/**
 * Episodic memory on LanceDB. Writes go through a group commit (one table version per batch, acknowledged only
 * once committed); every write, delete and maintenance step runs in one lane (EpisodeLane), reads run
 * concurrently; indexes and compaction are EpisodeIndexes' business.
 */
@Injectable()
export class EpisodicMemoryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EpisodicMemory');
  private readonly lane: EpisodeLane;
  private readonly indexes: EpisodeIndexes;
  private readonly commits: GroupCommit<EpisodeRecord>;
  private readonly accesses = new RecallAccesses();
  private readonly sessionIndex = new SessionIndex();
  private readonly reembedder: EpisodeReembedder;
  private readonly touchTimer: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly embedder: TextEmbedderService,
  ) {
    this.indexes = new EpisodeIndexes(config.memory.episodic.indexThreshold, this.logger);
    this.lane = new EpisodeLane(() => this.open(), this.logger);
    this.reembedder = new EpisodeReembedder(this.lane, embedder, this.indexes, this.logger);
    this.commits = new GroupCommit((batch) => this.lane.serial((table) => this.commit(table, batch)));
    this.touchTimer = setInterval(() => void this.flushTouches(), TOUCH_FLUSH_MS);
    this.touchTimer.unref();
  }

  async onModuleInit(): Promise<void> {
    await this.lane.table().catch(() => undefined); // logged; requests retry the open and get STORE_UNAVAILABLE
    const status = await this.reembedder.status().catch(() => undefined);
    if (status?.state === 'reembedding') {
      this.logger.warn(
        `${status.remaining} of ${status.total} episodes were embedded with another text-embedding model than ` +
          `${status.model}: recall by meaning covers only the others (and full text all) until you run ` +
          '`mneme reembed` (POST /v1/memory/reembed); memory stays as it is meanwhile.',
      );
    }
  }

  /** How the table stands against the configured embedder, and the re-embed that moves it (see reembed). */
  get vectorSpace(): EpisodeReembedder {
    return this.reembedder;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.touchTimer);
    await this.lane.settled();
    await this.flushTouches();
    // An index build can take minutes and cannot be cancelled: leave it to process exit (it is rebuilt at
    // the next start) rather than hold shutdown past its grace period or close the table under it.
    await this.lane.close(this.indexes.building);
  }

  /** Stores episodes; resolves once they are committed (they survive a crash from then on). */
  remember(inputs: EpisodeInput[], ctx: CallContext): Promise<EpisodeRecord[]> {
    const count = (r: EpisodeRecord[]) => r.length;
    return this.lane.track(this.span('remember', ctx, () => this.store(inputs, ctx), count));
  }

  private async store(inputs: EpisodeInput[], ctx: CallContext): Promise<EpisodeRecord[]> {
    if (inputs.length === 0) return [];
    await this.lane.table();
    const vectors = await this.embedder.embed(inputs.map((i) => i.text));
    const now = Date.now();
    const records = inputs.map((input, i) => newRecord(input, vectors[i]!, ctx.tenant, now));
    await this.commits.write(records);
    return records;
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
        const table = await this.lane.table();
        const ranked = await guardStorage(() =>
          hybridSearch(table, ctx.tenant, query, { text, image, audio, words }, this.indexes.columns),
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
    const table = await this.lane.table();
    return guardStorage(() => table.pendingConsolidation(limit));
  }

  /** Records an episode's extraction outcome: done (epoch ms) or FAILED. */
  markConsolidation(tenant: string, ids: string[], value: number): Promise<void> {
    return this.lane.serial((table) => table.setColumns(tenant, ids, { consolidation: String(value) }));
  }

  /**
   * Decay, across tenants: live episodes whose importance × recency × use fell below the threshold are archived
   * (recall skips them) or deleted, as configured. Answers what was acted on, per episode, so forgetting can
   * cascade into the semantic tier.
   */
  async decay(now: number): Promise<EpisodeRecord[]> {
    const { action, halfLifeMs, threshold } = this.config.memory.decay;
    if (action === 'off') return [];
    const table = await this.lane.table();
    const decayed = await guardStorage(() => table.decayed(now, halfLifeMs, threshold, DECAY_BATCH));
    const byTenant = new Map<string, string[]>();
    for (const e of decayed) byTenant.set(e.tenant, [...(byTenant.get(e.tenant) ?? []), e.id]);
    for (const [tenant, ids] of byTenant) {
      await this.lane.serial(async (t) => {
        if (action === 'archive') await t.setColumns(tenant, ids, { archived_at: String(now) });
        else await t.delete({ tenant, ids }).finally(() => this.sessionIndex.invalidate(tenant));
      });
    }
    return decayed;
  }

  /** Episodes of all tenants (the operator's size gauge). */
  async total(): Promise<number> {
    const table = await this.lane.table();
    return guardStorage(() => table.countRows());
  }

  /** The caller's episodes still waiting for extraction. */
  pendingCount(ctx: CallContext): Promise<number> {
    return this.read('pending', ctx, (t) =>
      t.countWhere(ctx.tenant, `consolidation = ${CONSOLIDATION.PENDING}`),
    );
  }

  /** The caller's episodes matching the filter, after a cursor, oldest or newest first. */
  browse(
    filter: Omit<EpisodeFilter, 'tenant'>,
    first: number,
    after: EpisodeCursor | undefined,
    newestFirst: boolean,
    ctx: CallContext,
  ): Promise<EpisodeRecord[]> {
    return this.read('list', ctx, (t) =>
      t.list({ ...filter, tenant: ctx.tenant }, after, first, newestFirst),
    );
  }

  /** The caller's sessions, most recently active first (see SessionIndex: a scan once, then kept on write). */
  sessions(ctx: CallContext): Promise<SessionInfo[]> {
    return this.read('sessions', ctx, (t) =>
      this.sessionIndex.sessions(ctx.tenant, () => t.sessionRows(ctx.tenant)),
    );
  }

  /** The session's newest summary (see SessionSummarizer), if it has one. */
  latestSummary(sessionId: string, ctx: CallContext): Promise<EpisodeRecord | undefined> {
    return this.read('summary', ctx, (t) =>
      t.newest({ tenant: ctx.tenant, sessionId, roles: [SUMMARY_ROLE] }),
    );
  }

  /** The session's user and assistant turns from `from` (epoch ms, inclusive) on, oldest first. */
  async turnsSince(
    sessionId: string,
    from: number | undefined,
    limit: number,
    ctx: CallContext,
  ): Promise<EpisodeRecord[]> {
    const filter = { tenant: ctx.tenant, sessionId, from, roles: ['user', 'assistant'] };
    return this.read('turns', ctx, (t) => t.list(filter, undefined, limit));
  }

  /** The session's newest `limit` user and assistant turns from `from` (epoch ms) on, newest first. */
  async latestTurns(
    sessionId: string,
    from: number,
    limit: number,
    ctx: CallContext,
  ): Promise<EpisodeRecord[]> {
    const filter = { tenant: ctx.tenant, sessionId, from, roles: ['user', 'assistant'] };
    return this.read('turns', ctx, (t) => t.latest(filter, limit));
  }

  /** The caller's episodes with these ids (others' ids simply find nothing). */
  get(ids: string[], ctx: CallContext): Promise<EpisodeRecord[]> {
    return this.read('get', ctx, (t) => t.list({ tenant: ctx.tenant, ids }, undefined, ids.length));
  }

  /** A page of the caller's episodes in (createdAt, id) order, with every vector if asked: an export's read. */
  exportPage(
    after: EpisodeCursor | undefined,
    limit: number,
    ctx: CallContext,
    vectors = true,
  ): Promise<EpisodeRecord[]> {
    return this.read('export', ctx, (t) => t.list({ tenant: ctx.tenant }, after, limit, false, vectors));
  }

  /**
   * Stores episodes exactly as given — ids, times, counters, vectors — under the caller's tenant, whatever the
   * records say: what an import writes. Vectors must have the table's width (an import re-embeds otherwise).
   */
  restore(records: EpisodeRecord[], ctx: CallContext): Promise<void> {
    const mine = records.map((r) => ({ ...r, tenant: ctx.tenant }));
    return this.lane.track(
      this.span(
        'restore',
        ctx,
        () => this.commits.write(mine),
        () => mine.length,
      ),
    );
  }

  /**
   * Rewrites one of the caller's episodes in place: new text is re-embedded and re-summarized (and queued for
   * extraction again with `extract`), importance is set; answers it as stored now, or undefined if not theirs.
   */
  revise(id: string, change: EpisodeChange, ctx: CallContext): Promise<EpisodeRecord | undefined> {
    return this.span(
      'revise',
      ctx,
      async () => {
        const { text, importance, extract } = change;
        const vector = text === undefined ? undefined : (await this.embedder.embed([text]))[0];
        const values: EpisodeRevision = {
          ...(text !== undefined && { text, summary: provisionalSummary(text), vector }),
          ...(importance !== undefined && { importance }),
          ...(extract && { consolidation: CONSOLIDATION.PENDING }),
        };
        await this.lane.settled();
        await this.lane.serial((table) => table.revise(ctx.tenant, requireId(id, 'id'), values));
        return (await this.get([id], ctx))[0];
      },
      (r) => (r ? 1 : 0),
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
        await this.lane.settled();
        return this.lane.serial(async (table) => {
          const gone = await table.delete(filter);
          // A summary retells what it was written from: it goes with its originals (and so do summaries of it).
          for (let cited = gone; cited.length > 0;) {
            cited = await table.delete({ tenant: ctx.tenant, citing: cited });
            gone.push(...cited);
          }
          if ('sessionId' in scope) this.sessionIndex.sessionForgotten(ctx.tenant, scope.sessionId);
          else this.sessionIndex.invalidate(ctx.tenant);
          return gone;
        });
      },
      (ids) => ids.length,
    );
  }

  private async commit(table: LanceEpisodeTable, batch: EpisodeRecord[]): Promise<void> {
    await table.add(batch);
    for (const tenant of new Set(batch.map((r) => r.tenant)))
      this.sessionIndex.added(
        tenant,
        batch.filter((r) => r.tenant === tenant),
      );
    const { maintenanceDue } = await this.indexes.afterCommit(table);
    // Maintenance runs after the acknowledged commit, so a slow compaction never delays a remember.
    if (maintenanceDue)
      void this.lane
        .serial((t) => this.indexes.maintain(t))
        .catch((error: Error) => this.logger.warn(`Maintenance failed (will retry): ${error.message}`));
  }

  /** Maintenance now (compaction, index upkeep), after the writes under way; waits for an index build it starts. */
  async maintain(): Promise<void> {
    await this.lane.settled();
    await this.lane.serial((t) => this.indexes.maintain(t));
    await this.indexes.built();
  }

  private async flushTouches(): Promise<void> {
    if (this.accesses.size === 0) return;
    const pending = this.accesses.take();
    const at = Date.now();
    await this.lane
      .serial(async (table) => {
        for (const [tenant, ids] of pending) await table.setColumns(tenant, ids, TOUCHED(at));
      })
      .catch((error: Error) => this.logger.warn(`Recording recall accesses failed: ${error.message}`));
  }

  private async open(): Promise<LanceEpisodeTable> {
    const dir = this.config.memory.episodic.dir;
    mkdirSync(dir, { recursive: true });
    const table = await LanceEpisodeTable.open(
      dir,
      await this.embedder.identity(),
      this.config.memory.episodic.cacheBytes,
    );
    await this.indexes.load(table);
    return table;
  }

  /** A read on the table as it is now (concurrent with writes), traced. */
  private read<T>(
    operation: string,
    ctx: CallContext,
    fn: (table: LanceEpisodeTable) => Promise<T>,
  ): Promise<T> {
    const count = (r: T) => (Array.isArray(r) ? r.length : r === undefined ? 0 : 1);
    return this.span(
      operation,
      ctx,
      async () => {
        const table = await this.lane.table();
        return guardStorage(() => fn(table));
      },
      count,
    );
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
