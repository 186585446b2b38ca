/** What callers hand episodic memory: episodes to store and recall queries. */

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
