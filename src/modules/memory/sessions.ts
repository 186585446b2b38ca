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

/** Episodes folded into sessions, most recently active first (ties by id, descending). */
export function sessionsOf(rows: SessionRow[]): SessionInfo[] {
  const sessions = new Map<string, SessionInfo & { summaryAt: number }>();
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
  return [...sessions.values()]
    .map(({ summaryAt: _, ...s }) => s)
    .sort((a, b) => b.lastAt - a.lastAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
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
