import type { EpisodeFilter, EpisodeRecord } from './episode.record.js';
import type { RecallQuery } from './episode-requests.js';
import { DEFAULT_RANK_WEIGHTS, rankHybrid, type RankedEpisode } from './hybrid-ranking.js';
import type { LanceEpisodeTable, VectorTuning } from './lancedb-episode.table.js';
import type { IndexedColumns } from './episode-indexes.js';

/** Searched per list before fusion: fusion needs depth beyond `first` to find items ranked well by both. */
const CANDIDATE_FACTOR = 4;
const MIN_CANDIDATES = 20;
export const VECTOR_TUNING: VectorTuning = { nprobes: 32, refineFactor: 10 };

/** What one recall searches with: the query's words and a vector per column (the shared space). */
export interface SearchVectors {
  words: string;
  text: Float32Array | undefined;
  image: Float32Array;
  audio: Float32Array;
}

/**
 * One recall over the table: vector, full-text and media searches of the tenant's live episodes, each deep
 * enough for fusion, then rank-fused (with recency and importance) into the best `query.first`, skipping the
 * excluded ids. The indexes in use decide which searches run and how.
 */
export async function hybridSearch(
  table: LanceEpisodeTable,
  tenant: string,
  query: RecallQuery,
  vectors: SearchVectors,
  indexed: IndexedColumns,
): Promise<RankedEpisode<EpisodeRecord>[]> {
  const { words, text, image, audio } = vectors;
  const filter: EpisodeFilter = {
    tenant,
    sessionId: query.sessionId,
    from: query.from,
    to: query.to,
    modality: query.modality,
    live: true,
  };
  const depth = Math.max(MIN_CANDIDATES, query.first * CANDIDATE_FACTOR) + (query.exclude?.size ?? 0);
  const [byVector, byText, byImage, byAudio] = await Promise.all([
    text
      ? table.vectorSearch(text, filter, depth, indexed.vector ? VECTOR_TUNING : undefined)
      : Promise.resolve([]),
    indexed.text && words ? table.textSearch(words, filter, depth) : Promise.resolve([]),
    table.mediaSearch(image, 'imageVector', filter, depth),
    table.mediaSearch(audio, 'audioVector', filter, depth),
  ]);
  const keep = (e: EpisodeRecord) => !query.exclude?.has(e.id);
  // One media list: image and audio matches merged by their (comparable, same-space) cosine distance.
  const byMedia = [...byImage, ...byAudio].sort((a, b) => a.distance - b.distance);
  return rankHybrid<EpisodeRecord>(
    byVector.filter(keep),
    byText.filter(keep),
    Date.now(),
    DEFAULT_RANK_WEIGHTS,
    byMedia.filter(keep),
  ).slice(0, query.first);
}
