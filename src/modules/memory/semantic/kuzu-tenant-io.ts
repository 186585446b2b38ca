import type { AuditRecord, EntityRecord, FactRecord } from './graph-store.js';
import { text, toAudit, toEntity, toFact } from './graph-rows.js';
import {
  AUDIT,
  ENTITY,
  FACT,
  BULK_ENTITY,
  BULK_FACT,
  BULK_NAME,
  BULK_NAMES,
  type BulkTable,
  chunks,
  type CypherValue,
  nameKey,
  type Row,
} from './kuzu-cypher.js';

// A tenant's rows in and out of the kuzu store, as statements over its run(): bulk loads, export pages and the
// audit trail.

/** Runs one statement on the caller's transaction (the kuzu store's lane). */
export type KuzuRun = (statement: string, params: Record<string, CypherValue>) => Promise<Row[]>;

/**
 * KuzuGraphStore.bulkLoad's work, inside its transaction: entities, their name index as indexNames() keeps it
 * (one Name per key, shared by namesakes; one NAMES per entity) and facts, each as COPY statements.
 */
export async function bulkLoad(
  run: KuzuRun,
  tenant: string,
  entities: EntityRecord[],
  facts: FactRecord[],
): Promise<void> {
  await checkEndpoints(run, tenant, entities, facts);
  for (const rows of chunks(entities)) await copy(run, BULK_ENTITY, rows);
  const links = entities.flatMap((e) =>
    [...new Set([e.norm, ...e.aliases])].map((norm) => ({ key: nameKey(tenant, norm), entityId: e.id })),
  );
  for (const keys of chunks([...new Set(links.map((link) => link.key))])) {
    const rows = await run(`UNWIND $keys AS k MATCH (n:Name {key: k}) RETURN n.key AS key`, { keys });
    const known = new Set(rows.map((row) => text(row.key)));
    await copy(
      run,
      BULK_NAME,
      keys.filter((key) => !known.has(key)),
    );
  }
  for (const rows of chunks(links)) await copy(run, BULK_NAMES, rows);
  for (const rows of chunks(facts)) await copy(run, BULK_FACT, rows);
}

/** Fact endpoints outside the load must be existing entities of the tenant (COPY would take any id). */
async function checkEndpoints(
  run: KuzuRun,
  tenant: string,
  entities: EntityRecord[],
  facts: FactRecord[],
): Promise<void> {
  const loaded = new Set(entities.map((e) => e.id));
  const outside = [...new Set(facts.flatMap((f) => [f.subjectId, f.objectId]))].filter(
    (id) => !loaded.has(id),
  );
  for (const ids of chunks(outside)) {
    const [found] = await run(
      `UNWIND $ids AS x MATCH (e:Entity {id: x}) WHERE e.tenant = $tenant RETURN count(e) AS n`,
      { tenant, ids },
    );
    if (Number(found?.n ?? 0) !== ids.length) {
      throw new Error(
        `bulkLoad for tenant ${tenant}: a fact names an entity that is neither loaded nor theirs`,
      );
    }
  }
}

async function copy<T>(run: KuzuRun, table: BulkTable<T>, rows: T[]): Promise<void> {
  if (rows.length === 0) return;
  const params: Record<string, CypherValue> = { n: rows.length + 1 };
  table.columns.forEach((column, i) => (params[`c${i}`] = [column.witness, ...rows.map(column.value)]));
  await run(table.statement, params);
}

/** The tenant's entities after `afterId`, by id: a page of an export. */
export async function entitiesPage(
  run: KuzuRun,
  tenant: string,
  afterId: string,
  limit: number,
): Promise<EntityRecord[]> {
  const rows = await run(
    `MATCH (e:Entity) WHERE e.tenant = $tenant AND e.id > $after RETURN ${ENTITY} ORDER BY id LIMIT $limit`,
    { tenant, after: afterId, limit },
  );
  return rows.map(toEntity);
}

/** The tenant's facts of every time after `afterId`, by id: a page of an export. */
export async function factsPage(
  run: KuzuRun,
  tenant: string,
  afterId: string,
  limit: number,
): Promise<FactRecord[]> {
  const rows = await run(
    `MATCH (s:Entity)-[f:Fact]->(o:Entity) WHERE f.tenant = $tenant AND f.id > $after
     RETURN ${FACT} ORDER BY id LIMIT $limit`,
    { tenant, after: afterId, limit },
  );
  return rows.map(toFact);
}

export async function recordAudit(run: KuzuRun, a: AuditRecord): Promise<void> {
  const { id, tenant, at, action, target, result, actor, episodes, facts, entities } = a;
  await run(
    `CREATE (:Audit {id: $id, tenant: $tenant, at: $at, action: $action, target: $target, result: $result,
       actor: $actor, episodes: $episodes, facts: $facts, entities: $entities})`,
    { id, tenant, at, action, target, result, actor, episodes, facts, entities },
  );
}

export async function auditTrail(
  run: KuzuRun,
  tenant: string,
  first: number,
  before?: number,
): Promise<AuditRecord[]> {
  const rows = await run(
    `MATCH (a:Audit) WHERE a.tenant = $tenant AND a.at < $before
     RETURN ${AUDIT} ORDER BY at DESC, id DESC LIMIT $first`,
    { tenant, first, before: before ?? Number.MAX_SAFE_INTEGER },
  );
  return rows.map(toAudit);
}
