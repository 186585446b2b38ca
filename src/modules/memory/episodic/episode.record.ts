/** An episode as episodic memory stores it (storage record; GraphQL models are mapped from it explicitly). */
export interface EpisodeRecord {
  id: string;
  tenant: string;
  sessionId: string;
  role: string;
  text: string;
  /** Short form used when the text is too long for a prompt; equal to the text for short turns. */
  summary: string;
  /** text | image | audio | multimodal. */
  modality: string;
  /** Epoch milliseconds. */
  createdAt: number;
  /** 0..1. */
  importance: number;
  accessCount: number;
  /** Epoch milliseconds; 0 when never recalled. */
  lastAccessAt: number;
  /** Content hashes (sha256 hex) of media stored with the episode. */
  media: string[];
  /** Text embedding, normalized. */
  vector: Float32Array;
  /**
   * Fact extraction into semantic memory: PENDING, SKIPPED (the path did not extract, or the episode predates
   * consolidation), FAILED after retries, or the epoch ms it was done.
   */
  consolidation: number;
  /** Epoch ms it was archived by decay (recall skips it; listing and forget still see it); 0 while live. */
  archivedAt: number;
  /** A summary's originals: the episodes (turns, and the summary before it) it was written from; else empty. */
  sources: string[];
  /**
   * From multimodal asks: the media's vectors projected into the shared space (the text embedder's) and the
   * fused vector of text and media, all normalized; absent for text-only episodes and when not read back.
   */
  imageVector?: Float32Array;
  audioVector?: Float32Array;
  fusedVector?: Float32Array;
}

/** The role of an episode that summarizes turns that overflowed a session's working-memory window. */
export const SUMMARY_ROLE = 'summary';

export const CONSOLIDATION = { PENDING: 0, SKIPPED: -1, FAILED: -2 } as const;

/** The shared-space columns a media search can look in. */
export type MediaVectorColumn = 'imageVector' | 'audioVector';

/** Always carries the tenant: there is no way to ask the table for rows without naming whose. */
export interface EpisodeFilter {
  tenant: string;
  sessionId?: string;
  /** Inclusive lower / exclusive upper bound on createdAt, epoch ms. */
  from?: number;
  to?: number;
  modality?: string;
  ids?: string[];
  /** Only episodes decay has not archived (what recall searches). */
  live?: boolean;
  roles?: string[];
  /** Only episodes written from any of these (summaries citing them). */
  citing?: string[];
}

/** What updateEpisode may rewrite in place. */
export type EpisodeRevision = Partial<
  Pick<EpisodeRecord, 'text' | 'summary' | 'vector' | 'importance' | 'consolidation'>
>;

/** One episode as the sessions list reads it. */
export interface SessionRow {
  id: string;
  sessionId: string;
  createdAt: number;
  role: string;
}

/** A keyset position for paging a session in (createdAt, id) order. */
export interface EpisodeCursor {
  createdAt: number;
  id: string;
}
