import type { EntityRecord, FactRecord } from './graph-store.js';

// The kuzu dialect of the semantic store: schema, Cypher statements and bulk COPY builders (rows come back through graph-rows.ts). Pure
// text and data; the one file that talks to kuzu itself is kuzu-graph.store.ts.

/** A parameter or result value as the kuzu node binding passes it (structurally; no kuzu import here). */
export type CypherValue =
  null | boolean | number | bigint | string | Date | CypherValue[] | { [key: string]: CypherValue };
export type Row = Record<string, CypherValue>;

export const SCHEMA = [
  `CREATE NODE TABLE IF NOT EXISTS Entity(id STRING, tenant STRING, name STRING, norm STRING, type STRING,
     aliases STRING[], embedding FLOAT[], summary STRING, episodes STRING[], createdAt INT64, PRIMARY KEY(id))`,
  `CREATE REL TABLE IF NOT EXISTS Fact(FROM Entity TO Entity, id STRING, tenant STRING, predicate STRING,
     validFrom INT64, validTo INT64, createdAt INT64, expiredAt INT64, confidence DOUBLE, episodes STRING[])`,
  // Name lookups go through a primary-key (hashed) index: one Name per (tenant, normalized name or alias).
  `CREATE NODE TABLE IF NOT EXISTS Name(key STRING, PRIMARY KEY(key))`,
  `CREATE REL TABLE IF NOT EXISTS NAMES(FROM Name TO Entity)`,
  // A fact's history (added later: ALTER keeps databases made before it readable; old facts read '' and null).
  `ALTER TABLE Fact ADD IF NOT EXISTS lineage STRING DEFAULT ''`,
  `ALTER TABLE Fact ADD IF NOT EXISTS retiredBy STRING`,
  `ALTER TABLE Fact ADD IF NOT EXISTS retiredReason STRING`,
  `ALTER TABLE Fact ADD IF NOT EXISTS supersededBy STRING`,
  `CREATE NODE TABLE IF NOT EXISTS Audit(id STRING, tenant STRING, at INT64, action STRING, target STRING,
     result STRING, actor STRING, episodes INT64, facts INT64, entities INT64, PRIMARY KEY(id))`,
];
/** A Name's key: tenant and normalized name, joined by a character neither can contain. */
export const nameKey = (tenant: string, norm: string) => `${tenant}\u0000${norm}`;
export const ENTITY =
  'e.id AS id, e.tenant AS tenant, e.name AS name, e.norm AS norm, e.type AS type, e.aliases AS aliases, e.embedding AS embedding, e.summary AS summary, e.episodes AS episodes, e.createdAt AS createdAt';
export const FACT =
  'f.id AS id, f.tenant AS tenant, s.id AS subjectId, f.predicate AS predicate, o.id AS objectId, f.validFrom AS validFrom, f.validTo AS validTo, f.createdAt AS createdAt, f.expiredAt AS expiredAt, f.confidence AS confidence, f.episodes AS episodes, f.lineage AS lineage, f.retiredBy AS retiredBy, f.retiredReason AS retiredReason, f.supersededBy AS supersededBy, s.name AS subject, o.name AS object';
export const AUDIT =
  'a.id AS id, a.tenant AS tenant, a.at AS at, a.action AS action, a.target AS target, a.result AS result, a.actor AS actor, a.episodes AS episodes, a.facts AS facts, a.entities AS entities';
// A recursive pattern's bounds must be literals in Cypher: one statement per allowed depth, never built from input.
export const NEIGHBORHOOD: Record<1 | 2 | 3, string> = {
  1: neighborhoodQuery(1),
  2: neighborhoodQuery(2),
  3: neighborhoodQuery(3),
};

function neighborhoodQuery(hops: number): string {
  // Current knowledge of what is true now (a recursive filter cannot take parameters, hence no "validTo > now").
  return `MATCH (c:Entity {id: $id})-[f:Fact*1..${hops} (r, n | WHERE r.expiredAt IS NULL AND r.validTo IS NULL)]-(e:Entity)
    WHERE c.tenant = $tenant AND e.tenant = $tenant AND e.id <> $id
    RETURN ${ENTITY}, min(length(f)) AS hops ORDER BY hops, name LIMIT $limit`;
}

/** Facts with the entity at one end (`s` subject or `o` object), within a window; the hint fixes the join order. */
export function factsAboutQuery(end: 's' | 'o', hint: string): string {
  return `MATCH (s:Entity)-[f:Fact]->(o:Entity)
    WHERE ${end}.id = $entityId AND f.tenant = $tenant
      AND f.validFrom <= $validAt AND (f.validTo IS NULL OR f.validTo > $validAt)
      AND f.createdAt <= $knownAt AND (f.expiredAt IS NULL OR f.expiredAt > $knownAt)
    HINT ${hint}
    RETURN ${FACT}`;
}

/** Rows per COPY in bulkLoad: each column travels as one list parameter this long. */
export const BULK_ROWS = 10_000;

/**
 * One column of a bulk COPY. Columns travel as lists, not as a list of row objects (whose conversion costs
 * ~30 µs a row). The node binding types a list by its first element, so each list leads with `witness`, a
 * non-null value of the column's type (an empty list or null there fails the COPY), which the statement skips;
 * and it reads an integral number as INT64 even in a list of doubles (1 → 5e-324): doubles travel as text and
 * are cast back, epoch milliseconds are rounded.
 */
export interface BulkColumn<T> {
  value: (row: T) => CypherValue;
  witness: CypherValue;
  cast?: string;
}
const textColumn = <T>(value: (row: T) => string): BulkColumn<T> => ({ value, witness: '' });
const maybeTextColumn = <T>(value: (row: T) => string | null): BulkColumn<T> => ({ value, witness: '' });
const textsColumn = <T>(value: (row: T) => string[]): BulkColumn<T> => ({ value, witness: [''] });
const millisColumn = <T>(value: (row: T) => number | null): BulkColumn<T> => ({
  value: (row) => {
    const ms = value(row);
    return ms === null ? null : Math.round(ms);
  },
  witness: 0,
});
const doubleColumn = <T>(value: (row: T) => number): BulkColumn<T> => ({
  value: (row) => String(value(row)),
  witness: '0',
  cast: 'DOUBLE',
});

export interface BulkTable<T> {
  statement: string;
  columns: BulkColumn<T>[];
}

/** COPY from a subquery over the column parameters $c0…, in the table's column order (a rel's: from, to, …). */
function bulkTable<T>(table: string, columns: BulkColumn<T>[]): BulkTable<T> {
  // Parameters go through WITH first: used directly in a COPY subquery, kuzu binds $c0[i] as a STRING.
  const params = columns.map((_, i) => `$c${i} AS c${i}`).join(', ');
  const values = columns.map((c, i) => (c.cast ? `CAST(c${i}[i] AS ${c.cast})` : `c${i}[i]`)).join(', ');
  return {
    statement: `COPY ${table} FROM (WITH ${params} UNWIND range(2, $n) AS i RETURN ${values})`,
    columns,
  };
}

export interface NameLink {
  key: string;
  entityId: string;
}

export const BULK_ENTITY = bulkTable<EntityRecord>('Entity', [
  textColumn((e) => e.id),
  textColumn((e) => e.tenant),
  textColumn((e) => e.name),
  textColumn((e) => e.norm),
  textColumn((e) => e.type),
  textsColumn((e) => e.aliases),
  // One text per embedding ("[0.1,-0.2]"): faster to pass and cast than a list of texts.
  { value: (e) => floatsText(e.embedding), witness: '[]', cast: 'FLOAT[]' },
  textColumn((e) => e.summary),
  textsColumn((e) => e.episodes),
  millisColumn((e) => e.createdAt),
]);
export const BULK_FACT = bulkTable<FactRecord>('Fact', [
  textColumn((f) => f.subjectId),
  textColumn((f) => f.objectId),
  textColumn((f) => f.id),
  textColumn((f) => f.tenant),
  textColumn((f) => f.predicate),
  millisColumn((f) => f.validFrom),
  millisColumn((f) => f.validTo),
  millisColumn((f) => f.createdAt),
  millisColumn((f) => f.expiredAt),
  doubleColumn((f) => f.confidence),
  textsColumn((f) => f.episodes),
  textColumn((f) => f.lineage),
  maybeTextColumn((f) => f.retiredBy),
  maybeTextColumn((f) => f.retiredReason),
  maybeTextColumn((f) => f.supersededBy),
]);
export const BULK_NAME = bulkTable<string>('Name', [textColumn((key) => key)]);
export const BULK_NAMES = bulkTable<NameLink>('NAMES', [
  textColumn((link) => link.key),
  textColumn((link) => link.entityId),
]);

export function* chunks<T>(rows: T[]): Generator<T[]> {
  for (let i = 0; i < rows.length; i += BULK_ROWS) yield rows.slice(i, i + BULK_ROWS);
}

/**
 * Floats as text for a CAST: the node binding types a number list by its first element and reads whole numbers
 * as INT64, so [1, 0.5] would come back as [1, 5e-324].
 */
export function floatsText(values: readonly number[]): string {
  return `[${values.join(',')}]`;
}
