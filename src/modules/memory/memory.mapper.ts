import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { EpisodeCursor, EpisodeRecord } from './episodic/episode.record.js';
import type { MemoryHit } from './memory.service.js';
import { enumValue } from '../../graphql/enum-value.js';
import { Episode, Memory, type MemoryTierGql } from './models/memory.model.js';

/** Storage records → GraphQL models (explicit: the schema is a contract, the table layout is not). */

export function toEpisode(e: EpisodeRecord): Episode {
  return {
    id: e.id,
    sessionId: e.sessionId,
    role: e.role,
    text: e.text,
    summary: e.summary,
    sources: e.sources,
    modality: e.modality,
    createdAt: new Date(e.createdAt),
    importance: e.importance,
    accessCount: e.accessCount,
    lastAccessAt: e.lastAccessAt > 0 ? new Date(e.lastAccessAt) : null,
    media: e.media,
    archivedAt: e.archivedAt > 0 ? new Date(e.archivedAt) : null,
  };
}

export function toMemory(h: MemoryHit): Memory {
  return {
    id: h.id,
    tier: enumValue<MemoryTierGql>(h.tier),
    sessionId: h.sessionId,
    role: h.role,
    text: h.text,
    createdAt: new Date(h.createdAt),
    score: h.score,
    degraded: h.degraded ?? false,
  };
}

/** Opaque to clients: base64url of the (createdAt, id) keyset position. */
export function encodeCursor(e: Pick<EpisodeRecord, 'createdAt' | 'id'>): string {
  return Buffer.from(JSON.stringify([e.createdAt, e.id])).toString('base64url');
}

export function decodeCursor(cursor: string): EpisodeCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'number' && Number.isFinite(createdAt) && typeof id === 'string')
      return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new MnemeError(
    ErrorCode.BAD_REQUEST,
    'after is not a cursor from this API; pass pageInfo.endCursor as is.',
  );
}
