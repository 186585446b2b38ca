import type { EpisodeFilter, EpisodeRecord } from './episode.record.js';

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

export function toRow(r: EpisodeRecord): EpisodeRow {
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
    vector: Array.from(r.vector),
    image_vector: list32(r.imageVector),
    audio_vector: list32(r.audioVector),
    fused_vector: list32(r.fusedVector),
  };
}

export function fromRow(row: EpisodeRow): EpisodeRecord {
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
    vector: vectorOf(row.vector) ?? new Float32Array(0),
  };
  for (const [key, name] of Object.entries(MEDIA_COLUMNS) as [keyof typeof MEDIA_COLUMNS, string][]) {
    const vector = vectorOf(row[name]);
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

export interface EmbedderIdentity {
  name: string;
  dims: number;
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
