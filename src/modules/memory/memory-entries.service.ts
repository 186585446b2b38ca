import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { requireId } from '../../common/ids.js';
import { MnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { CONSOLIDATION, type EpisodeCursor, type EpisodeRecord } from './episodic/episode.record.js';
import { AuditTrail } from './audit-trail.service.js';
import { SemanticMemoryService } from './semantic/semantic-memory.service.js';
import { pageOf, type SessionCursor, type SessionInfo } from './sessions.js';
import { EpisodicMemoryService } from './episodic/episodic-memory.service.js';
import { WorkingMemoryService } from './working/working-memory.service.js';

/** Which episodes to browse: a session's (oldest first by default) or all (newest first), within a time span. */
export interface EpisodeQuery {
  sessionId?: string;
  from?: number;
  to?: number;
  modality?: string;
  newestFirst?: boolean;
}

/** A memory a caller stores directly (mem0's add): no generation involved. */
export interface MemoryEntry {
  text: string;
  sessionId?: string;
  role: 'user' | 'assistant';
  importance?: number;
  createdAt?: number;
}

// A clock a little ahead of the server's is not an error; a date in the future is.
const CLOCK_SKEW_MS = 60_000;

/** Memory written and read one entry at a time through the API, beside what asks remember. */
@Injectable()
export class MemoryEntries {
  private readonly logger = new Logger('Memory');

  constructor(
    private readonly episodic: EpisodicMemoryService,
    private readonly working: WorkingMemoryService,
    private readonly semantic: SemanticMemoryService,
    private readonly engine: LlmEngine,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  /**
   * Stores entries as episodes (committed when this resolves; queued for fact extraction when the user said them
   * and consolidation runs), in the order given. Entries without a session share one new session. Entries of a
   * session the caller named join its recent turns too, so the next ask in it sees them.
   */
  async remember(entries: MemoryEntry[], ctx: CallContext): Promise<EpisodeRecord[]> {
    const now = Date.now();
    for (const [i, entry] of entries.entries())
      assertWhen(entry.createdAt, now, entries.length > 1 ? i : undefined);
    const newSession = randomUUID();
    const extracting = this.config.memory.consolidation.intervalMs > 0;
    const records = await this.episodic.remember(
      entries.map((entry, i) => ({
        id: randomUUID(),
        sessionId: entry.sessionId ?? newSession,
        role: entry.role,
        text: entry.text,
        // Entries of one call keep their order even when they share a millisecond.
        createdAt: entry.createdAt ?? now + i,
        extract: extracting && entry.role === 'user',
        ...(entry.importance !== undefined && { importance: entry.importance }),
      })),
      ctx,
    );
    await this.joinWindows(
      records.filter((_, i) => entries[i]!.sessionId !== undefined),
      ctx,
    );
    return records;
  }

  /** One of the caller's episodes; NOT_FOUND for an unknown id or another tenant's. */
  async episode(id: string, ctx: CallContext): Promise<EpisodeRecord> {
    const [found] = await this.episodic.get([requireId(id, 'id')], ctx);
    if (found) return found;
    throw new MnemeError(ErrorCode.NOT_FOUND, `No episode ${id} in your memory.`);
  }

  /**
   * Rewrites one of the caller's episodes: new text is re-embedded, drops the facts only its old words taught
   * (extracted again when it had been queued before) and the summaries that retell them, replaces its turn in
   * the session's window, and drops the session's cached prompt states, which hold the old words. Audited.
   */
  async update(
    id: string,
    change: { text?: string; importance?: number },
    ctx: CallContext,
  ): Promise<EpisodeRecord> {
    if (change.text === undefined && change.importance === undefined) {
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'updateEpisode needs a new text or importance.');
    }
    const before = await this.episode(id, ctx);
    const rewritten = change.text !== undefined && change.text !== before.text;
    const extract =
      rewritten &&
      before.consolidation !== CONSOLIDATION.SKIPPED &&
      this.config.memory.consolidation.intervalMs > 0;
    const after = await this.episodic.revise(id, { ...change, extract }, ctx);
    if (!after) throw new MnemeError(ErrorCode.NOT_FOUND, `No episode ${id} in your memory.`);
    let taught = { facts: 0, entities: 0 };
    let retold: string[] = [];
    if (rewritten) {
      taught = await this.semantic.forgetEpisodes([id], ctx);
      // A summary that retells the old words goes, as with a forget; the summarizer writes it again from now.
      retold = await this.episodic.forgetIds({ citing: [id] }, ctx);
      const tokens = await this.engine.countTokens(after.text);
      await this.working.reviseTurn(after.sessionId, id, { text: after.text, tokens }, ctx);
      await this.engine.forgetCached({ tenant: ctx.tenant, sessionId: after.sessionId });
    }
    await this.audit.record('update-episode', id, { episodes: 1 + retold.length, ...taught }, ctx);
    return after;
  }

  /** The caller's episodes matching the query, a page after the cursor (one more than `first`: the next's). */
  async episodes(
    query: EpisodeQuery,
    first: number,
    after: EpisodeCursor | undefined,
    ctx: CallContext,
  ): Promise<EpisodeRecord[]> {
    const { newestFirst = query.sessionId === undefined, ...filter } = query;
    if (filter.from !== undefined && filter.to !== undefined && filter.from >= filter.to) {
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'from must be before to.');
    }
    return this.episodic.browse(filter, first, after, newestFirst, ctx);
  }

  /**
   * The caller's sessions, most recently active first, with the latest summary's text: a page of `first` after
   * the cursor, and whether more follow. Made from one narrow scan of the caller's episodes (see
   * docs/benchmarks.md for its cost), so it is never out of step with forgets, decay or other replicas.
   */
  async sessions(
    first: number,
    after: SessionCursor | undefined,
    ctx: CallContext,
  ): Promise<{ page: (SessionInfo & { summary: string | null })[]; more: boolean }> {
    const all = await this.episodic.sessions(ctx);
    const page = pageOf(all, first + 1, after);
    const shown = page.slice(0, first);
    const summaryIds = shown.flatMap((s) => (s.summaryId ? [s.summaryId] : []));
    const summaries = new Map((await this.episodic.get(summaryIds, ctx)).map((e) => [e.id, e.text]));
    return {
      page: shown.map((s) => ({ ...s, summary: (s.summaryId && summaries.get(s.summaryId)) ?? null })),
      more: page.length > first,
    };
  }

  /** Appends remembered turns to their sessions' working windows, with their token counts. */
  private async joinWindows(records: EpisodeRecord[], ctx: CallContext): Promise<void> {
    const sessions = new Map<string, EpisodeRecord[]>();
    for (const r of records) sessions.set(r.sessionId, [...(sessions.get(r.sessionId) ?? []), r]);
    for (const [sessionId, turns] of sessions) {
      const tokens = await Promise.all(turns.map((t) => this.engine.countTokens(t.text)));
      await this.working.append(
        sessionId,
        turns.map((t, i) => ({
          id: t.id,
          role: t.role as 'user' | 'assistant',
          text: t.text,
          tokens: tokens[i]!,
          createdAt: t.createdAt,
        })),
        ctx,
      );
    }
  }
}

function assertWhen(createdAt: number | undefined, now: number, index: number | undefined): void {
  if (createdAt === undefined || (createdAt >= 0 && createdAt <= now + CLOCK_SKEW_MS)) return;
  const where = index === undefined ? 'createdAt' : `inputs.${index}.createdAt`;
  throw new MnemeError(ErrorCode.BAD_REQUEST, `${where} must be a date between 1970 and now.`);
}
