import { z } from 'zod';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import type { EpisodeRecord } from '../episodic/episode.record.js';
import type { AuditRecord, EntityRecord, FactRecord } from '../semantic/graph-store.js';

// A tenant's memory as JSON Lines (docs/memory-archive.md): a header, then one record per line — episodes,
// entities, facts, audit entries — then an end line with the counts, so a truncated archive is caught. Records
// carry no tenant: an import writes into the importer's own.

export const ARCHIVE_FORMAT = 'mneme-memory';
export const ARCHIVE_VERSION = 1;
/** One line at most: an episode of 100k characters with four 1024-dim vectors is well under it. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

const id = z.string().min(1).max(128);
const ids = z.array(id).max(100_000);
const millis = z.number().finite().nonnegative();
const vector = z.array(z.number().finite()).max(8192);
const text = (max: number) => z.string().max(max);

const header = z.object({
  kind: z.literal('header'),
  format: z.literal(ARCHIVE_FORMAT),
  version: z.literal(ARCHIVE_VERSION),
  exportedAt: millis,
  /** "name:dims" of the text embedder the vectors come from. */
  embedder: z.string(),
  /** Its vector space (a fingerprint of its weights); archives from before spaces have none. */
  space: z.string().max(200).optional(),
  vectors: z.boolean(),
});

const episode = z.object({
  kind: z.literal('episode'),
  id,
  sessionId: id,
  role: text(32),
  text: text(100_000),
  summary: text(100_000),
  modality: text(32),
  createdAt: millis,
  importance: z.number().min(0).max(1),
  accessCount: z.number().int().nonnegative(),
  lastAccessAt: millis,
  media: z.array(text(128)).max(64),
  consolidation: z.number().finite(),
  archivedAt: millis,
  sources: ids,
  vector: vector.optional(),
  imageVector: vector.optional(),
  audioVector: vector.optional(),
  fusedVector: vector.optional(),
});

const entity = z.object({
  kind: z.literal('entity'),
  id,
  name: text(500),
  norm: text(500),
  type: text(64),
  aliases: z.array(text(500)).max(1000),
  embedding: vector.optional(),
  summary: text(100_000),
  episodes: ids,
  createdAt: millis,
});

const fact = z.object({
  kind: z.literal('fact'),
  id,
  subjectId: id,
  predicate: text(100),
  objectId: id,
  validFrom: z.number().finite(),
  validTo: z.number().finite().nullable(),
  createdAt: millis,
  expiredAt: millis.nullable(),
  confidence: z.number().min(0).max(1),
  episodes: ids,
  lineage: id,
  retiredBy: z.enum(['contradicted', 'retracted', 'corrected']).nullable(),
  retiredReason: text(500).nullable(),
  supersededBy: id.nullable(),
});

const audit = z.object({
  kind: z.literal('audit'),
  id,
  at: millis,
  action: z.enum([
    'forget-episode',
    'forget-session',
    'forget-everything',
    'forget-fact',
    'retract-fact',
    'correct-fact',
    'update-episode',
    'import-memory',
  ]),
  target: text(256),
  result: id.nullable(),
  actor: text(64),
  episodes: z.number().int().nonnegative(),
  facts: z.number().int().nonnegative(),
  entities: z.number().int().nonnegative(),
});

const counts = z.object({
  episodes: z.number().int().nonnegative(),
  entities: z.number().int().nonnegative(),
  facts: z.number().int().nonnegative(),
  audit: z.number().int().nonnegative(),
});

const end = z.object({ kind: z.literal('end'), counts });

const line = z.discriminatedUnion('kind', [header, episode, entity, fact, audit, end]);

export type ArchiveLine = z.infer<typeof line>;
export type ArchiveHeader = z.infer<typeof header>;
export type ArchiveCounts = z.infer<typeof counts>;
export type EpisodeLine = z.infer<typeof episode>;
export type EntityLine = z.infer<typeof entity>;
export type FactLine = z.infer<typeof fact>;
export type AuditLine = z.infer<typeof audit>;

/** One line of an archive, checked; BAD_REQUEST naming the line and what is wrong with it. */
export function parseLine(raw: string, lineNo: number): ArchiveLine {
  if (Buffer.byteLength(raw) > MAX_LINE_BYTES) {
    throw bad(lineNo, `longer than ${MAX_LINE_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw bad(lineNo, 'not JSON');
  }
  const parsed = line.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw bad(lineNo, issue ? `${issue.path.join('.') || 'kind'}: ${issue.message}` : 'not an archive record');
}

function bad(lineNo: number, why: string): MnemeError {
  return new MnemeError(ErrorCode.BAD_REQUEST, `archive line ${lineNo}: ${why}`);
}

const list = (v: Float32Array | undefined) => (v && v.length > 0 ? [...v] : undefined);

export function episodeLine(e: EpisodeRecord, vectors: boolean): EpisodeLine {
  const { tenant: _tenant, vector, imageVector, audioVector, fusedVector, ...rest } = e;
  return {
    kind: 'episode',
    ...rest,
    ...(vectors && {
      vector: list(vector),
      imageVector: list(imageVector),
      audioVector: list(audioVector),
      fusedVector: list(fusedVector),
    }),
  };
}

export function entityLine(e: EntityRecord, vectors: boolean): EntityLine {
  const { tenant: _tenant, embedding, ...rest } = e;
  return { kind: 'entity', ...rest, ...(vectors && embedding.length > 0 && { embedding }) };
}

export function factLine(f: FactRecord): FactLine {
  const { tenant: _tenant, ...rest } = f;
  return { kind: 'fact', ...rest };
}

export function auditLine(a: AuditRecord): AuditLine {
  const { tenant: _tenant, ...rest } = a;
  return { kind: 'audit', ...rest };
}
