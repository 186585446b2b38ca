import type { EntityRecord, FactRecord } from './graph-store.js';
import { text } from './graph-rows.js';
import {
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
