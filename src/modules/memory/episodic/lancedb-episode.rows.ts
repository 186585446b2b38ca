import type {
  EpisodeCursor,
  EpisodeFilter,
  EpisodeRecord,
  EpisodeRevision,
  SessionRow,
} from './episode.record.js';

// Episode rows as the LanceDB table stores them, and the one place filters become SQL. Plain data and text: the
// SDK itself stays in lancedb-episode.table.ts.

export type EpisodeRow = Record<string, unknown>;

/** Shared-space vector columns (nullable), added to tables created before multimodal memory. */
export const MEDIA_COLUMNS = {
  imageVector: 'image_vector',
  audioVector: 'audio_vector',
  fusedVector: 'fused_vector',
};

const list32 = (value: Float32Array | undefined) => (value ? Array.from(value) : null);

function vectorOf(value: unknown): Float32Array | undefined {
  const list = value as { toArray(): Float32Array } | null | undefined;
  return list ? Float32Array.from(list.toArray()) : undefined;
}

/**
 * Where the current embedder's vectors live. Normally in `vector`, every row tagged with its space in
 * `vector_space`. While memory is re-embedded into a new space (another model, maybe another width), new vectors
 * go to `next_vector` / `next_space` and `vector` keeps the old space's (placeholders for rows written since);
 * the cutover then drops the old column and renames the new one (see vector-space.ts).
 */
export interface VectorLayout {
  column: 'vector' | 'next_vector';
  spaceColumn: 'vector_space' | 'next_space';
  /** The current embedder's space (see TextEmbedderService.identity). */
  space: string;
  /** The current embedder's width. */
  dims: number;
  /** The width of the `vector` column: another one while re-embedding to a model of another width. */
  width: number;
}

export const migrating = (layout: VectorLayout) => layout.column === 'next_vector';

/** Where a shared-space media column's current vectors are: beside `next_vector` while re-embedding. */
export const mediaColumn = (name: string, layout: VectorLayout) =>
  migrating(layout) ? `next_${name}` : name;

/** A placeholder in `vector` for a row written during a re-embed (the old space cannot embed it). */
export const NO_SPACE = 'none';

export function toRow(r: EpisodeRecord, layout: VectorLayout): EpisodeRow {
  const vectors = migrating(layout)
    ? {
        vector: new Array<number>(layout.width).fill(0),
        vector_space: NO_SPACE,
        next_vector: Array.from(r.vector),
        next_space: layout.space,
        // The new space's media vectors go beside the new text vector (the old columns go at the cutover).
        next_image_vector: list32(r.imageVector),
        next_audio_vector: list32(r.audioVector),
        next_fused_vector: list32(r.fusedVector),
      }
    : {
        vector: Array.from(r.vector),
        vector_space: layout.space,
        image_vector: list32(r.imageVector),
        audio_vector: list32(r.audioVector),
        fused_vector: list32(r.fusedVector),
      };
  return {
    id: r.id,
    tenant: r.tenant,
    session_id: r.sessionId,
    role: r.role,
    text: r.text,
    summary: r.summary,
    modality: r.modality,
    created_at: r.createdAt,
    importance: r.importance,
    access_count: r.accessCount,
    last_access_at: r.lastAccessAt,
    media: r.media,
    consolidation: r.consolidation,
    archived_at: r.archivedAt,
    sources: r.sources,
    ...vectors,
  };
}

/** A record from a row; its vector is the current space's (empty where a row has none yet). */
export function fromRow(row: EpisodeRow, layout: VectorLayout): EpisodeRecord {
  const media = row.media as { toArray(): unknown[] } | null;
  const sources = row.sources as { toArray(): unknown[] } | null | undefined;
  const record: EpisodeRecord = {
    id: String(row.id),
    tenant: String(row.tenant),
    sessionId: String(row.session_id),
    role: String(row.role),
    text: String(row.text),
    summary: String(row.summary),
    modality: String(row.modality),
    createdAt: Number(row.created_at),
    importance: Number(row.importance),
    accessCount: Number(row.access_count),
    lastAccessAt: Number(row.last_access_at),
    media: media ? media.toArray().map(String) : [],
    consolidation: Number(row.consolidation ?? -1),
    archivedAt: Number(row.archived_at ?? 0),
    sources: sources ? sources.toArray().map(String) : [],
    vector: vectorOf(row[layout.column]) ?? new Float32Array(0),
  };
  for (const [key, name] of Object.entries(MEDIA_COLUMNS) as [keyof typeof MEDIA_COLUMNS, string][]) {
    const vector = vectorOf(row[mediaColumn(name, layout)]);
    if (vector) record[key] = vector;
  }
  return record;
}

/** The one place filters become SQL: tenant first, always; every value escaped. */
export function where(filter: EpisodeFilter, extra?: string): string {
  const parts = [`tenant = ${str(filter.tenant)}`];
  if (filter.sessionId !== undefined) parts.push(`session_id = ${str(filter.sessionId)}`);
  if (filter.from !== undefined) parts.push(`created_at >= ${num(filter.from)}`);
  if (filter.to !== undefined) parts.push(`created_at < ${num(filter.to)}`);
  if (filter.modality !== undefined) parts.push(`modality = ${str(filter.modality)}`);
  if (filter.live) parts.push('archived_at = 0');
  if (filter.roles !== undefined) parts.push(inList('role', filter.roles));
  if (filter.citing !== undefined)
    parts.push(
      filter.citing.length === 0 ? 'false' : `array_has_any(sources, [${filter.citing.map(str).join(', ')}])`,
    );
  if (filter.ids !== undefined) parts.push(inList('id', filter.ids));
  if (extra) parts.push(extra);
  return parts.join(' AND ');
}

function inList(column: string, values: string[]): string {
  return values.length === 0 ? 'false' : `${column} IN (${values.map(str).join(', ')})`;
}

export function str(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

export function num(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

export interface VectorTuning {
  /** IVF partitions probed per query (only with an index). */
  nprobes: number;
  /** Candidates re-ranked with exact distances = limit × refineFactor (only with an index). */
  refineFactor: number;
}

export type { EmbedderIdentity } from '../../embedding/text-embedder.service.js';

export const SESSION_COLUMNS = ['id', 'session_id', 'created_at', 'role'];

export function sessionRowOf(row: EpisodeRow): SessionRow {
  const { id, session_id, created_at, role } = row;
  return { id: String(id), sessionId: String(session_id), createdAt: Number(created_at), role: String(role) };
}

/** The columns a revision sets (values, not SQL: LanceDB quotes them itself); a new vector is the current space's. */
export function revisionRow(
  values: EpisodeRevision,
  layout: VectorLayout,
): Record<string, string | number | number[]> {
  const row: Record<string, string | number | number[]> = {};
  if (values.text !== undefined) row.text = values.text;
  if (values.summary !== undefined) row.summary = values.summary;
  if (values.vector)
    Object.assign(row, { [layout.column]: [...values.vector], [layout.spaceColumn]: layout.space });
  if (values.importance !== undefined) row.importance = values.importance;
  if (values.consolidation !== undefined) row.consolidation = values.consolidation;
  return row;
}

/** Keyset pagination in (createdAt, id) order, after the cursor, either way. */
export function keysetAfter(after: EpisodeCursor | undefined, newestFirst: boolean): string | undefined {
  if (!after) return undefined;
  const beyond = newestFirst ? '<' : '>';
  const at = num(after.createdAt);
  return `(created_at ${beyond} ${at} OR (created_at = ${at} AND id ${beyond} ${str(after.id)}))`;
}

/** Live rows whose importance × recency (half-life from the later of creation and last recall) × use is low. */
export function decayedCondition(now: number, halfLifeMs: number, threshold: number): string {
  const recent = 'CASE WHEN last_access_at > created_at THEN last_access_at ELSE created_at END';
  const score = `importance * power(0.5, (${num(now)} - ${recent}) / ${num(halfLifeMs)}) * (1 + ln(1 + access_count))`;
  return `archived_at = 0 AND ${score} < ${num(threshold)}`;
}

/** The scalar columns a read returns (vectors are read only where needed). */
export const COLUMNS = [
  'id',
  'tenant',
  'session_id',
  'role',
  'text',
  'summary',
  'modality',
  'created_at',
  'importance',
  'access_count',
  'last_access_at',
  'media',
  'consolidation',
  'archived_at',
  'sources',
];
