import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { SUMMARY_ROLE, type SessionRow } from './episodic/episode.record.js';

/** A session as the sessions list shows it. */
export interface SessionInfo {
  id: string;
  /** The first and last episode's time (epoch ms). */
  firstAt: number;
  lastAt: number;
  /** User and assistant turns (summaries not counted). */
  turns: number;
  /** The newest summary episode's id, if the session has one. */
  summaryId: string | null;
}

/** Where a page of sessions starts: after this (lastAt, id) in newest-first order. */
export interface SessionCursor {
  lastAt: number;
  id: string;
}

type Folded = SessionInfo & { summaryAt: number };

/** Episodes folded into sessions, most recently active first (ties by id, descending). */
export function sessionsOf(rows: SessionRow[]): SessionInfo[] {
  return ordered(foldInto(new Map(), rows));
}

function foldInto(sessions: Map<string, Folded>, rows: SessionRow[]): Map<string, Folded> {
  for (const row of rows) {
    let s = sessions.get(row.sessionId);
    if (!s) {
      s = {
        id: row.sessionId,
        firstAt: row.createdAt,
        lastAt: row.createdAt,
        turns: 0,
        summaryId: null,
        summaryAt: -1,
      };
      sessions.set(row.sessionId, s);
    }
    s.firstAt = Math.min(s.firstAt, row.createdAt);
    s.lastAt = Math.max(s.lastAt, row.createdAt);
    if (row.role !== SUMMARY_ROLE) s.turns++;
    else if (row.createdAt > s.summaryAt) [s.summaryId, s.summaryAt] = [row.id, row.createdAt];
  }
  return sessions;
}

function ordered(sessions: Map<string, Folded>): SessionInfo[] {
  return [...sessions.values()]
    .map(({ summaryAt: _, ...s }) => s)
    .sort((a, b) => b.lastAt - a.lastAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * Each tenant's sessions, folded once from a scan of its episodes and then kept up to date by the writes this
 * process makes (the episodic service reports them): listing sessions costs a sort of sessions, not a scan of
 * episodes. A forget other than of a whole session drops the tenant's entry (rebuilt at the next list), and so
 * does any write that lands while a scan is under way.
 */
export class SessionIndex {
  private readonly built = new Map<string, Map<string, Folded>>();
  /** Writes seen per tenant: a scan that saw a write start under it is not kept. */
  private readonly writes = new Map<string, number>();

  async sessions(tenant: string, scan: () => Promise<SessionRow[]>): Promise<SessionInfo[]> {
    const cached = this.built.get(tenant);
    if (cached) return ordered(cached);
    const before = this.writes.get(tenant) ?? 0;
    const folded = foldInto(new Map(), await scan());
    if ((this.writes.get(tenant) ?? 0) === before) this.built.set(tenant, folded);
    return ordered(folded);
  }

  /** New episodes of the tenant (committed). */
  added(tenant: string, rows: SessionRow[]): void {
    this.wrote(tenant);
    const cached = this.built.get(tenant);
    if (cached) foldInto(cached, rows);
  }

  sessionForgotten(tenant: string, sessionId: string): void {
    this.wrote(tenant);
    this.built.get(tenant)?.delete(sessionId);
  }

  /** Some of the tenant's episodes went (by id, decay, everything): folded again at the next list. */
  invalidate(tenant: string): void {
    this.wrote(tenant);
    this.built.delete(tenant);
  }

  private wrote(tenant: string): void {
    this.writes.set(tenant, (this.writes.get(tenant) ?? 0) + 1);
  }
}

/** The sessions after the cursor (in sessionsOf's order), at most `first`. */
export function pageOf(sessions: SessionInfo[], first: number, after?: SessionCursor): SessionInfo[] {
  const start = after
    ? sessions.findIndex((s) => s.lastAt < after.lastAt || (s.lastAt === after.lastAt && s.id < after.id))
    : 0;
  return start < 0 ? [] : sessions.slice(start, start + first);
}

/** Opaque to clients: base64url of the (lastAt, id) keyset position. */
export function encodeSessionCursor(s: Pick<SessionInfo, 'lastAt' | 'id'>): string {
  return Buffer.from(JSON.stringify(['s', s.lastAt, s.id])).toString('base64url');
}

export function decodeSessionCursor(cursor: string): SessionCursor {
  try {
    const [kind, lastAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (kind === 's' && typeof lastAt === 'number' && Number.isFinite(lastAt) && typeof id === 'string')
      return { lastAt, id };
  } catch {
    // fall through to the error below
  }
  throw new MnemeError(
    ErrorCode.BAD_REQUEST,
    'after is not a sessions cursor; pass pageInfo.endCursor as is.',
  );
}
