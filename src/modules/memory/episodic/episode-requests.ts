import type { CallContext } from '../../../common/call-context.js';
import { requireId } from '../../../common/ids.js';
import { randomUUID } from 'node:crypto';
import { CONSOLIDATION, type EpisodeFilter, type EpisodeRecord } from './episode.record.js';
import { estimateImportance, provisionalSummary } from './importance.js';

// What callers hand episodic memory: episodes to store and recall queries.

export interface EpisodeInput {
  /** Shared with the working-memory turn that records the same words; generated when absent. */
  id?: string;
  sessionId: string;
  role: string;
  text: string;
  modality?: string;
  importance?: number;
  media?: string[];
  createdAt?: number;
  /** Queue the episode for fact extraction into semantic memory (the path's `extraction`). */
  extract?: boolean;
  /** For a summary: the episodes it was written from. */
  sources?: string[];
  /** Shared-space vectors of the episode's media, from fusion. */
  imageVector?: Float32Array;
  audioVector?: Float32Array;
  fusedVector?: Float32Array;
}

/** What updateEpisode changes in an episode. */
export interface EpisodeChange {
  text?: string;
  importance?: number;
  /** Queue it for fact extraction again (its text changed and extraction is on). */
  extract?: boolean;
}

export interface QueryVectors {
  text?: Float32Array;
  image?: Float32Array;
  audio?: Float32Array;
}

export interface RecallQuery {
  text: string;
  first: number;
  sessionId?: string;
  from?: number;
  to?: number;
  modality?: string;
  /** Episodes already in the prompt (e.g. the working-memory window). */
  exclude?: ReadonlySet<string>;
  /**
   * Query vectors in the shared space, per modality (from fusion). Each column is searched with its own
   * modality when the query has it — an image finds the same image — and with the text otherwise, which is
   * how words find pictures and sounds (cross-modal recall). Without them the text is embedded.
   */
  vectors?: QueryVectors;
}

/**
 * What a forget deletes, said explicitly: an id or a session is checked here too, so an empty string can never
 * widen into the whole tenant.
 */
export type EpisodeScope =
  | { id: string }
  | { ids: string[] }
  | { sessionId: string }
  /** The summaries that retell these episodes (and summaries of those). */
  | { citing: string[] }
  | { everything: true };

export function filterOf(scope: EpisodeScope, ctx: CallContext): EpisodeFilter {
  if ('id' in scope) return { tenant: ctx.tenant, ids: [requireId(scope.id, 'episodeId')] };
  if ('ids' in scope) return { tenant: ctx.tenant, ids: scope.ids.map((id) => requireId(id, 'episodeId')) };
  if ('sessionId' in scope) return { tenant: ctx.tenant, sessionId: requireId(scope.sessionId, 'sessionId') };
  if ('citing' in scope)
    return { tenant: ctx.tenant, citing: scope.citing.map((id) => requireId(id, 'episodeId')) };
  return { tenant: ctx.tenant };
}

/** The record a new episode is stored as: defaults filled, importance estimated, extraction queued if asked. */
export function newRecord(
  input: EpisodeInput,
  vector: Float32Array,
  tenant: string,
  now: number,
): EpisodeRecord {
  return {
    id: input.id ?? randomUUID(),
    tenant,
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
    vector,
    ...(input.imageVector && { imageVector: input.imageVector }),
    ...(input.audioVector && { audioVector: input.audioVector }),
    ...(input.fusedVector && { fusedVector: input.fusedVector }),
  };
}
