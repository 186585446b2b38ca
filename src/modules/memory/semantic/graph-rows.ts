import type {
  AuditAction,
  AuditRecord,
  EntityRecord,
  FactRecord,
  FactRetirement,
  FactView,
  Neighbor,
} from './graph-store.js';

// Rows both graph dialects return (kuzu and Neo4j statements alias their columns alike) mapped to records: one
// mapping, so the backends cannot drift apart in what a stored value means.

type Cell = unknown;
export type GraphRow = Readonly<Record<string, Cell>>;

/** A string column's value; null becomes empty. */
export const text = (value: Cell): string =>
  typeof value === 'string' ? value : value == null ? '' : JSON.stringify(value);
const number = (value: Cell): number => Number(value);
const maybeNumber = (value: Cell): number | null => (value == null ? null : Number(value));
const maybeText = (value: Cell): string | null => (value == null || value === '' ? null : text(value));
const RETIREMENTS = new Set<string>(['contradicted', 'retracted', 'corrected']);
const retirement = (value: Cell): FactRetirement | null =>
  typeof value === 'string' && RETIREMENTS.has(value) ? (value as FactRetirement) : null;
export const texts = (value: Cell): string[] => (Array.isArray(value) ? value.map(text) : []);
const numbers = (value: Cell): number[] => (Array.isArray(value) ? value.map(number) : []);

export function toEntity(row: GraphRow): EntityRecord {
  return {
    id: text(row.id),
    tenant: text(row.tenant),
    name: text(row.name),
    norm: text(row.norm),
    type: text(row.type),
    aliases: texts(row.aliases),
    embedding: numbers(row.embedding),
    summary: text(row.summary),
    episodes: texts(row.episodes),
    createdAt: number(row.createdAt),
  };
}

export function toFact(row: GraphRow): FactRecord {
  const id = text(row.id);
  return {
    id,
    tenant: text(row.tenant),
    subjectId: text(row.subjectId),
    predicate: text(row.predicate),
    objectId: text(row.objectId),
    validFrom: number(row.validFrom),
    validTo: maybeNumber(row.validTo),
    createdAt: number(row.createdAt),
    expiredAt: maybeNumber(row.expiredAt),
    confidence: number(row.confidence),
    episodes: texts(row.episodes),
    // Facts stored before lineages were kept begin their own.
    lineage: maybeText(row.lineage) ?? id,
    retiredBy: retirement(row.retiredBy),
    retiredReason: maybeText(row.retiredReason),
    supersededBy: maybeText(row.supersededBy),
  };
}

export function toFactView(row: GraphRow): FactView {
  return { ...toFact(row), subject: text(row.subject), object: text(row.object) };
}

export function toNeighbor(row: GraphRow): Neighbor {
  return { entity: toEntity(row), hops: number(row.hops) };
}

export function toAudit(row: GraphRow): AuditRecord {
  return {
    id: text(row.id),
    tenant: text(row.tenant),
    at: number(row.at),
    action: text(row.action) as AuditAction,
    target: text(row.target),
    result: maybeText(row.result),
    actor: text(row.actor),
    episodes: number(row.episodes),
    facts: number(row.facts),
    entities: number(row.entities),
  };
}
