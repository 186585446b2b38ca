import { texts } from './graph-rows.js';
import type { EntityRecord, FactRecord } from './graph-store.js';

// The Neo4j 5 dialect of the semantic store: schema, statements and row builders (rows come back through graph-rows.ts). Pure text and data (no driver
// import); the one file that talks to Neo4j is neo4j-graph.store.ts. Facts are (:Entity)-[:FACT]->(:Entity)
// relationships, as in kuzu.

/** A parameter or result value as the adapter passes it: scalars, lists and maps of them. */
export type Value = null | boolean | number | string | readonly Value[] | { readonly [key: string]: Value };
export type Row = Readonly<Record<string, Value>>;

/** What each parameter of a statement carries; the adapter's call is type-checked against it. */
interface ParamTypes {
  string: string;
  strings: readonly string[];
  number: number;
  map: Row;
  rows: readonly Row[];
}
export type ParamKind = keyof ParamTypes;
export type ParamSpec = Readonly<Record<string, ParamKind>>;
export type ParamsOf<S extends ParamSpec> = { [K in keyof S]: ParamTypes[S[K]] };

/** One Cypher statement with its parameters (exactly the `$names` it uses: the spec checks both ways). */
export interface Statement<S extends ParamSpec = ParamSpec> {
  readonly cypher: string;
  /** Managed transactions route and retry by it (executeRead / executeWrite). */
  readonly mode: 'read' | 'write';
  readonly params: S;
}
const read = <const S extends ParamSpec>(cypher: string, params: S): Statement<S> => ({
  cypher,
  mode: 'read',
  params,
});
const write = <const S extends ParamSpec>(cypher: string, params: S): Statement<S> => ({
  cypher,
  mode: 'write',
  params,
});

// Idempotent (IF NOT EXISTS): init() runs them on every start.
// Name lookups are index-backed through one Name node per (tenant, normalized name or alias), linked to every
// entity it names: a list property (Entity.aliases) cannot serve `x IN list` from an index in Neo4j 5, while
// the composite uniqueness constraint below is a range index that resolves a name in one seek (and keeps MERGE
// race-free). FACT gets plain relationship indexes: relationship uniqueness constraints need 5.7+.
export const SCHEMA = [
  'CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE',
  'CREATE INDEX entity_tenant IF NOT EXISTS FOR (e:Entity) ON (e.tenant)',
  // entitiesContaining: CONTAINS is served by a text index, not a range one.
  'CREATE TEXT INDEX entity_norm IF NOT EXISTS FOR (e:Entity) ON (e.norm)',
  'CREATE CONSTRAINT name_key IF NOT EXISTS FOR (n:Name) REQUIRE (n.tenant, n.norm) IS UNIQUE',
  'CREATE INDEX fact_id IF NOT EXISTS FOR ()-[f:FACT]-() ON (f.id)',
  'CREATE INDEX fact_tenant IF NOT EXISTS FOR ()-[f:FACT]-() ON (f.tenant)',
  'CREATE INDEX fact_lineage IF NOT EXISTS FOR ()-[f:FACT]-() ON (f.lineage)',
  'CREATE INDEX audit_tenant_at IF NOT EXISTS FOR (a:Audit) ON (a.tenant, a.at)',
];

const ENTITY =
  'e.id AS id, e.tenant AS tenant, e.name AS name, e.norm AS norm, e.type AS type, e.aliases AS aliases, e.embedding AS embedding, e.summary AS summary, e.episodes AS episodes, e.createdAt AS createdAt';
const FACT =
  'f.id AS id, f.tenant AS tenant, s.id AS subjectId, f.predicate AS predicate, o.id AS objectId, f.validFrom AS validFrom, f.validTo AS validTo, f.createdAt AS createdAt, f.expiredAt AS expiredAt, f.confidence AS confidence, f.episodes AS episodes, f.lineage AS lineage, f.retiredBy AS retiredBy, f.retiredReason AS retiredReason, f.supersededBy AS supersededBy, s.name AS subject, o.name AS object';
// Facts a walk may use: current knowledge of what is true now (as kuzu's recursive filter).
const WALKABLE = 'r.tenant = $tenant AND r.expiredAt IS NULL AND r.validTo IS NULL';

/** New entities and their names (rows from entityRow): createEntity is a load of one. */
export const CREATE_ENTITIES = write(
  `UNWIND $rows AS row
   CREATE (e:Entity {id: row.id, tenant: $tenant, name: row.name, norm: row.norm, type: row.type,
     aliases: row.aliases, embedding: row.embedding, summary: row.summary, episodes: row.episodes,
     createdAt: row.createdAt})
   WITH e, row
   UNWIND row.names AS norm
   MERGE (n:Name {tenant: $tenant, norm: norm})
   CREATE (n)-[:NAMES]->(e)`,
  { tenant: 'string', rows: 'rows' },
);

/** `patch` holds only entity fields (pickPatch); names already indexed stay, as in kuzu. */
export const UPDATE_ENTITY = write(
  `MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant
   SET e += $patch
   WITH e
   UNWIND $names AS norm
   MERGE (n:Name {tenant: $tenant, norm: norm})
   MERGE (n)-[:NAMES]->(e)`,
  { tenant: 'string', id: 'string', patch: 'map', names: 'strings' },
);

export const ENTITY_BY_ID = read(`MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant RETURN ${ENTITY}`, {
  tenant: 'string',
  id: 'string',
});

/** One seek per name in the (tenant, norm) index, then the NAMES links. */
export const ENTITIES_NAMED = read(
  `UNWIND $norms AS norm
   MATCH (:Name {tenant: $tenant, norm: norm})-[:NAMES]->(e:Entity) WHERE e.tenant = $tenant
   RETURN DISTINCT ${ENTITY} ORDER BY createdAt, id`,
  { tenant: 'string', norms: 'strings' },
);

export const ENTITIES_CONTAINING = read(
  `MATCH (e:Entity) WHERE e.tenant = $tenant AND e.norm CONTAINS $token
   RETURN ${ENTITY} LIMIT toInteger($limit)`,
  { tenant: 'string', token: 'string', limit: 'number' },
);

/**
 * New facts (rows from factRow) between entities of the tenant; returns how many were written, so a row whose
 * endpoint is missing or another tenant's is caught (bulkLoad) rather than silently dropped.
 */
export const CREATE_FACTS = write(
  `UNWIND $rows AS row
   MATCH (s:Entity {id: row.subjectId}) WHERE s.tenant = $tenant
   MATCH (o:Entity {id: row.objectId}) WHERE o.tenant = $tenant
   CREATE (s)-[:FACT {id: row.id, tenant: $tenant, predicate: row.predicate, validFrom: row.validFrom,
     validTo: row.validTo, createdAt: row.createdAt, expiredAt: row.expiredAt, confidence: row.confidence,
     episodes: row.episodes, lineage: row.lineage, retiredBy: row.retiredBy, retiredReason: row.retiredReason,
     supersededBy: row.supersededBy}]->(o)
   RETURN count(*) AS created`,
  { tenant: 'string', rows: 'rows' },
);

/** `patch` holds only fact fields (pickPatch); a null removes the property, which reads back as null. */
export const UPDATE_FACT = write(
  `MATCH (:Entity)-[f:FACT {id: $id}]->(:Entity) WHERE f.tenant = $tenant SET f += $patch`,
  { tenant: 'string', id: 'string', patch: 'map' },
);

export const FACT_BY_ID = read(
  `MATCH (s:Entity)-[f:FACT {id: $id}]->(o:Entity) WHERE f.tenant = $tenant RETURN ${FACT}`,
  { tenant: 'string', id: 'string' },
);

/** A fact stored before lineages were kept has none and begins its own: its id is its lineage. */
export const LINEAGE = read(
  `MATCH (s:Entity)-[f:FACT]->(o:Entity)
   WHERE f.tenant = $tenant AND (f.lineage = $lineage OR (f.lineage IS NULL AND f.id = $lineage))
   RETURN ${FACT} ORDER BY createdAt, validFrom`,
  { tenant: 'string', lineage: 'string' },
);

/** Deletes facts by id; returns their endpoints' ids for FORGET_BARE_ENTITIES. */
export const FORGET_FACTS = write(
  `UNWIND $ids AS x
   MATCH (s:Entity)-[f:FACT {id: x}]->(o:Entity) WHERE f.tenant = $tenant
   WITH f, [s.id, o.id] AS ends
   DELETE f
   RETURN ends`,
  { tenant: 'string', ids: 'strings' },
);

/** Entities among `ids` that no episode taught and no fact uses: gone, with their names for DROP_ORPHAN_NAMES. */
export const FORGET_BARE_ENTITIES = write(
  `UNWIND $ids AS x
   MATCH (e:Entity {id: x}) WHERE e.tenant = $tenant AND size(e.episodes) = 0 AND NOT (e)-[:FACT]-(:Entity)
   WITH e, [(n:Name)-[:NAMES]->(e) | n.norm] AS norms
   DETACH DELETE e
   RETURN norms`,
  { tenant: 'string', ids: 'strings' },
);

export const RECORD_AUDIT = write(`CREATE (a:Audit) SET a = $entry`, { entry: 'map' });

export const AUDIT_TRAIL = read(
  `MATCH (a:Audit) WHERE a.tenant = $tenant AND a.at < $before
   RETURN a.id AS id, a.tenant AS tenant, a.at AS at, a.action AS action, a.target AS target,
     a.result AS result, a.actor AS actor, a.episodes AS episodes, a.facts AS facts, a.entities AS entities
   ORDER BY at DESC, id DESC LIMIT toInteger($first)`,
  { tenant: 'string', before: 'number', first: 'number' },
);

/** A page of an export: the tenant's entities after an id, by id. */
export const ENTITIES_PAGE = read(
  `MATCH (e:Entity) WHERE e.tenant = $tenant AND e.id > $after
   RETURN ${ENTITY} ORDER BY id LIMIT toInteger($limit)`,
  { tenant: 'string', after: 'string', limit: 'number' },
);

export const FACTS_PAGE = read(
  `MATCH (s:Entity)-[f:FACT]->(o:Entity) WHERE f.tenant = $tenant AND f.id > $after
   RETURN ${FACT} ORDER BY id LIMIT toInteger($limit)`,
  { tenant: 'string', after: 'string', limit: 'number' },
);

export const CURRENT_FACTS = read(
  `MATCH (s:Entity {id: $subjectId})-[f:FACT]->(o:Entity)
   WHERE s.tenant = $tenant AND f.tenant = $tenant AND f.predicate = $predicate AND f.expiredAt IS NULL
   RETURN ${FACT}`,
  { tenant: 'string', subjectId: 'string', predicate: 'string' },
);

/** Either end, walked from the entity's unique-index seek; DISTINCT so a self-loop counts once. */
export const FACTS_ABOUT = read(
  `MATCH (c:Entity {id: $entityId})-[f:FACT]-(:Entity)
   WHERE c.tenant = $tenant AND f.tenant = $tenant
     AND f.validFrom <= $validAt AND (f.validTo IS NULL OR f.validTo > $validAt)
     AND f.createdAt <= $knownAt AND (f.expiredAt IS NULL OR f.expiredAt > $knownAt)
   WITH DISTINCT f
   WITH f, startNode(f) AS s, endNode(f) AS o
   RETURN ${FACT} ORDER BY validFrom DESC, createdAt DESC LIMIT toInteger($limit)`,
  { tenant: 'string', entityId: 'string', validAt: 'number', knownAt: 'number', limit: 'number' },
);

// A variable-length pattern's bounds must be literals: one statement per allowed depth, never built from input.
// Grouping by the end node with only min(length(p)) lets the planner run a breadth-first pruning expand that
// emits each entity once at its shortest depth (BFSPruningVarExpand), instead of enumerating every path.
function neighborhood(hops: 1 | 2 | 3) {
  return read(
    `MATCH (c:Entity {id: $id}) WHERE c.tenant = $tenant
     MATCH p = (c)-[:FACT*1..${hops}]-(e:Entity)
     WHERE all(r IN relationships(p) WHERE ${WALKABLE}) AND e.tenant = $tenant AND e.id <> $id
     WITH e, min(length(p)) AS hops
     RETURN ${ENTITY}, hops ORDER BY hops, name LIMIT toInteger($limit)`,
    { tenant: 'string', id: 'string', limit: 'number' },
  );
}
export const NEIGHBORHOOD = { 1: neighborhood(1), 2: neighborhood(2), 3: neighborhood(3) } as const;

/** Drops the episodes from facts' provenance and deletes the facts left with none. */
export const FORGET_FACT_EPISODES = write(
  `MATCH (:Entity)-[f:FACT]->(:Entity) WHERE f.tenant = $tenant AND any(x IN f.episodes WHERE x IN $ids)
   SET f.episodes = [x IN f.episodes WHERE NOT x IN $ids]
   WITH f WHERE size(f.episodes) = 0
   DELETE f
   RETURN count(*) AS deleted`,
  { tenant: 'string', ids: 'strings' },
);

/**
 * Then from entities' provenance: one left with none that no fact (of any time) still uses goes, one row per
 * deleted entity with its names, for DROP_ORPHAN_NAMES.
 */
export const FORGET_ENTITY_EPISODES = write(
  `MATCH (e:Entity) WHERE e.tenant = $tenant AND any(x IN e.episodes WHERE x IN $ids)
   SET e.episodes = [x IN e.episodes WHERE NOT x IN $ids]
   WITH e WHERE size(e.episodes) = 0 AND NOT (e)-[:FACT]-(:Entity)
   WITH e, [(n:Name)-[:NAMES]->(e) | n.norm] AS norms
   DETACH DELETE e
   RETURN norms`,
  { tenant: 'string', ids: 'strings' },
);

/**
 * Names (shared by namesakes) that no longer name any entity. A pattern predicate rather than NOT EXISTS {}:
 * same meaning on 5.x, and the linter misreads the negated subquery's labels.
 */
export const DROP_ORPHAN_NAMES = write(
  `UNWIND $norms AS norm
   MATCH (n:Name {tenant: $tenant, norm: norm}) WHERE NOT (n)-[:NAMES]->(:Entity)
   DELETE n`,
  { tenant: 'string', norms: 'strings' },
);

export const FORGET_TENANT_NAMES = write(
  `MATCH (n:Name)-[:NAMES]->(e:Entity) WHERE e.tenant = $tenant AND n.tenant = $tenant
   WITH DISTINCT n
   DETACH DELETE n`,
  { tenant: 'string' },
);

export const FORGET_TENANT_ENTITIES = write(`MATCH (e:Entity) WHERE e.tenant = $tenant DETACH DELETE e`, {
  tenant: 'string',
});

// OPTIONAL MATCH so a tenant without facts still gets its row (COUNT {} would need 5.3+).
export const COUNTS = read(
  `MATCH (e:Entity) WHERE e.tenant = $tenant
   WITH count(e) AS entities
   OPTIONAL MATCH (:Entity)-[f:FACT]->(:Entity) WHERE f.tenant = $tenant
   RETURN entities, count(f) AS facts`,
  { tenant: 'string' },
);

export const TOTALS = read(
  `MATCH (e:Entity)
   WITH count(e) AS entities
   OPTIONAL MATCH (:Entity)-[f:FACT]->(:Entity)
   RETURN entities, count(f) AS facts`,
  {},
);

/** Rows per UNWIND in bulkLoad: each batch travels as one list parameter. */
export const BULK_ROWS = 5_000;

export function* chunks<T>(rows: readonly T[], size = BULK_ROWS): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}

/** An entity as CREATE_ENTITIES takes it: its fields plus the names to index (name and aliases, once each). */
export function entityRow(e: EntityRecord): Row {
  const { id, name, norm, type, aliases, embedding, summary, episodes, createdAt } = e;
  const names = [...new Set([norm, ...aliases])];
  return { id, name, norm, type, aliases, embedding, summary, episodes, createdAt, names };
}

export function factRow(f: FactRecord): Row {
  // Everything but the tenant, which every statement takes as its own parameter.
  const { tenant: _tenant, ...row } = f;
  return row;
}

/** Fields a patch may set (never id or tenant), whatever else the object carries; undefined ones are left out. */
export const ENTITY_PATCH_KEYS = [
  'name',
  'norm',
  'type',
  'aliases',
  'episodes',
  'summary',
  'embedding',
] as const;
export const FACT_PATCH_KEYS = [
  'expiredAt',
  'confidence',
  'episodes',
  'retiredBy',
  'retiredReason',
  'supersededBy',
] as const;

export function pickPatch<T extends object>(patch: T, keys: readonly (keyof T & string)[]): Row {
  const picked: Record<string, Value> = {};
  for (const key of keys) {
    const value = patch[key] as Value | undefined;
    if (value !== undefined) picked[key] = value;
  }
  return picked;
}

/** The names a FORGET_ENTITY_EPISODES row says went with its entity. */
export function toNorms(row: Row): string[] {
  return texts(row.norms);
}
