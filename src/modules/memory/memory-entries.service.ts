import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { requireId } from '../../common/ids.js';
import { MnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import type { EpisodeRecord } from './episodic/episode.record.js';
import { EpisodicMemoryService } from './episodic/episodic-memory.service.js';
import { WorkingMemoryService } from './working/working-memory.service.js';

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
    private readonly engine: LlmEngine,
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
