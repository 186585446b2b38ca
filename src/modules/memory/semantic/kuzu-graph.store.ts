import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import kuzu, { type KuzuValue, type QueryResult } from 'kuzu';
import {
  GraphStore,
  type EntityRecord,
  type AuditRecord,
  type FactPatch,
  type FactRecord,
  type FactView,
  type FactWindow,
  type ForgetCount,
  type Neighbor,
} from './graph-store.js';
import {
  auditTrail,
  bulkLoad,
  entitiesPage,
  factsPage,
  recordAudit,
  type KuzuRun,
} from './kuzu-tenant-io.js';
import {
  ENTITY,
  FACT,
  factsAboutQuery,
  floatsText,
  nameKey,
  NEIGHBORHOOD,
  type Row,
  SCHEMA,
} from './kuzu-cypher.js';
import { text, toEntity, toFact, toFactView } from './graph-rows.js';

// The only file that imports kuzu (docs/conventions.md rule 1).

/**
 * The semantic graph in an embedded kuzu database (a directory in the data dir). One connection, one lane:
 * statements run one at a time; atomically() wraps a sequence in BEGIN/COMMIT on that lane.
 */
export class KuzuGraphStore extends GraphStore {
  readonly backend = 'kuzu';
  private db: kuzu.Database | undefined;
  private conn: kuzu.Connection | undefined;
  private lane: Promise<unknown> = Promise.resolve();
  private readonly inTransaction = new AsyncLocalStorage<true>();
  /** run(), for the statement helpers of kuzu-tenant-io. */
  private readonly runner: KuzuRun = (statement, params) => this.run(statement, params);

  constructor(private readonly dir: string) {
    super();
  }

  async init(): Promise<void> {
    mkdirSync(path.dirname(this.dir), { recursive: true });
    this.db = new kuzu.Database(this.dir);
    this.conn = new kuzu.Connection(this.db);
    for (const statement of SCHEMA) await this.run(statement);
  }

  async close(): Promise<void> {
    await this.lane.catch(() => undefined);
    await this.conn?.close();
    await this.db?.close();
    this.conn = undefined;
    this.db = undefined;
  }

  atomically<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction.getStore()) return fn();
    return this.serial(async () => {
      await this.exec('BEGIN TRANSACTION', {});
      try {
        const result = await this.inTransaction.run(true, fn);
        await this.exec('COMMIT', {});
        return result;
      } catch (error) {
        await this.exec('ROLLBACK', {}).catch(() => undefined);
        throw error;
      }
    });
  }

  createEntity(e: EntityRecord): Promise<void> {
    return this.atomically(async () => {
      await this.run(
        `CREATE (:Entity {id: $id, tenant: $tenant, name: $name, norm: $norm, type: $type, aliases: $aliases,
           embedding: CAST($embedding AS FLOAT[]), summary: $summary, episodes: $episodes, createdAt: $createdAt})`,
        { ...e, embedding: floatsText(e.embedding) },
      );
      await this.indexNames(e.tenant, e.id, [e.norm, ...e.aliases]);
    });
  }

  private async indexNames(tenant: string, id: string, norms: string[]): Promise<void> {
    const keys = norms.map((n) => nameKey(tenant, n));
    // Two statements: kuzu cannot carry a MERGEd node into a MATCH in one query.
    await this.run(`UNWIND $keys AS k MERGE (:Name {key: k})`, { keys });
    await this.run(
      `UNWIND $keys AS k MATCH (n:Name {key: k}), (e:Entity {id: $id}) MERGE (n)-[:NAMES]->(e)`,
      { keys, id },
    );
  }

  async updateEntity(
    tenant: string,
    id: string,
    patch: Partial<
      Pick<EntityRecord, 'name' | 'norm' | 'type' | 'aliases' | 'episodes' | 'summary' | 'embedding'>
    >,
  ): Promise<void> {
    // Keys come from the typed patch (a fixed set of property names), values are parameters.
    const sets = Object.keys(patch).map((key) =>
      key === 'embedding' ? 'e.embedding = CAST($embedding AS FLOAT[])' : `e.${key} = $${key}`,
    );
    if (sets.length === 0) return;
    const values = { ...patch, ...(patch.embedding && { embedding: floatsText(patch.embedding) }) };
    await this.atomically(async () => {
      await this.run(`MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant SET ${sets.join(', ')}`, {
        tenant,
        id,
        ...(values as Record<string, KuzuValue>),
      });
      const names = [patch.norm, ...(patch.aliases ?? [])].filter((n): n is string => n !== undefined);
      if (names.length) await this.indexNames(tenant, id, names);
    });
  }

  async entity(tenant: string, id: string): Promise<EntityRecord | undefined> {
    const rows = await this.run(`MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant RETURN ${ENTITY}`, {
      tenant,
      id,
    });
    return rows[0] && toEntity(rows[0]);
  }

  entitiesNamed(tenant: string, norm: string): Promise<EntityRecord[]> {
    return this.entitiesNamedAny(tenant, [norm]);
  }

  async entitiesNamedAny(tenant: string, norms: string[]): Promise<EntityRecord[]> {
    if (norms.length === 0) return [];
    // Which keys exist (a hash-index probe per key), then one indexed walk per hit: joining the UNWIND to the
    // NAMES edges directly makes kuzu scan every entity (230 ms at 100k entities against 3.5 ms per key).
    const hits = await this.run(`UNWIND $keys AS k MATCH (n:Name {key: k}) RETURN n.key AS key`, {
      keys: [...new Set(norms)].map((n) => nameKey(tenant, n)),
    });
    const found = new Map<string, EntityRecord>();
    for (const hit of hits) {
      const rows = await this.run(
        `MATCH (n:Name {key: $key})-[:NAMES]->(e:Entity) WHERE e.tenant = $tenant RETURN ${ENTITY}`,
        { key: hit.key, tenant },
      );
      for (const row of rows) found.set(text(row.id), toEntity(row));
    }
    return [...found.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async entitiesContaining(tenant: string, token: string, limit: number): Promise<EntityRecord[]> {
    const rows = await this.run(
      `MATCH (e:Entity) WHERE e.tenant = $tenant AND e.norm CONTAINS $token RETURN ${ENTITY} LIMIT $limit`,
      { tenant, token, limit },
    );
    return rows.map(toEntity);
  }

  async addFact(f: FactRecord): Promise<void> {
    await this.run(
      `MATCH (s:Entity {id: $subjectId}), (o:Entity {id: $objectId}) WHERE s.tenant = $tenant AND o.tenant = $tenant
       CREATE (s)-[:Fact {id: $id, tenant: $tenant, predicate: $predicate, validFrom: $validFrom, validTo: $validTo,
         createdAt: $createdAt, expiredAt: $expiredAt, confidence: $confidence, episodes: $episodes,
         lineage: $lineage, retiredBy: $retiredBy, retiredReason: $retiredReason, supersededBy: $supersededBy}]->(o)`,
      { ...f },
    );
  }

  async updateFact(tenant: string, id: string, patch: FactPatch): Promise<void> {
    const sets = Object.keys(patch).map((key) => `f.${key} = $${key}`);
    if (sets.length === 0) return;
    await this.run(`MATCH ()-[f:Fact]->() WHERE f.tenant = $tenant AND f.id = $id SET ${sets.join(', ')}`, {
      tenant,
      id,
      ...(patch as Record<string, KuzuValue>),
    });
  }

  async fact(tenant: string, id: string): Promise<FactView | undefined> {
    const rows = await this.run(
      `MATCH (s:Entity)-[f:Fact]->(o:Entity) WHERE f.tenant = $tenant AND f.id = $id RETURN ${FACT}`,
      { tenant, id },
    );
    return rows[0] && toFactView(rows[0]);
  }

  async lineage(tenant: string, lineage: string): Promise<FactView[]> {
    // A fact stored before lineages were kept has '' there and begins its own: its id is its lineage.
    const rows = await this.run(
      `MATCH (s:Entity)-[f:Fact]->(o:Entity)
       WHERE f.tenant = $tenant AND (f.lineage = $lineage OR (f.lineage = '' AND f.id = $lineage))
       RETURN ${FACT} ORDER BY createdAt, validFrom`,
      { tenant, lineage },
    );
    return rows.map(toFactView);
  }

  forgetFacts(tenant: string, ids: string[]): Promise<ForgetCount> {
    return this.atomically(async () => {
      const versions = (await Promise.all(ids.map((id) => this.fact(tenant, id)))).filter(
        (f) => f !== undefined,
      );
      for (const f of versions) {
        await this.run(`MATCH ()-[f:Fact]->() WHERE f.tenant = $tenant AND f.id = $id DELETE f`, {
          tenant,
          id: f.id,
        });
      }
      const ends = new Set(versions.flatMap((f) => [f.subjectId, f.objectId]));
      let gone = 0;
      for (const id of ends) {
        // Kept when an episode taught it or another fact still uses it.
        const [held] = await this.run(
          `MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant
           OPTIONAL MATCH (e)-[f:Fact]-() RETURN size(e.episodes) AS episodes, count(f) AS facts`,
          { tenant, id },
        );
        if (!held || Number(held.episodes) > 0 || Number(held.facts) > 0) continue;
        await this.run(`MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant DETACH DELETE e`, { tenant, id });
        gone++;
      }
      if (gone > 0) await this.dropOrphanNames();
      return { facts: versions.length, entities: gone };
    });
  }

  async currentFacts(tenant: string, subjectId: string, predicate: string): Promise<FactRecord[]> {
    const rows = await this.run(
      `MATCH (s:Entity {id: $subjectId})-[f:Fact]->(o:Entity)
       WHERE f.tenant = $tenant AND f.predicate = $predicate AND f.expiredAt IS NULL RETURN ${FACT}`,
      { tenant, subjectId, predicate },
    );
    return rows.map(toFact);
  }

  async factsAbout(tenant: string, entityId: string, window: FactWindow, limit: number): Promise<FactView[]> {
    // Outgoing and incoming facts separately, each walked from the entity (the join hints keep kuzu from
    // scanning every fact from the far side: 441 → 7.6 ms at 300k facts); an OR over both ends scans them all.
    const params = { tenant, entityId, validAt: window.validAt, knownAt: window.knownAt };
    const rows = [
      ...(await this.run(factsAboutQuery('s', '(s JOIN f) JOIN o'), params)),
      ...(await this.run(factsAboutQuery('o', '(o JOIN f) JOIN s'), params)),
    ];
    const facts = new Map<string, FactView>();
    for (const row of rows) facts.set(text(row.id), toFactView(row));
    return [...facts.values()]
      .sort((a, b) => b.validFrom - a.validFrom || b.createdAt - a.createdAt)
      .slice(0, limit);
  }

  async neighborhood(tenant: string, entityId: string, hops: 1 | 2 | 3, limit: number): Promise<Neighbor[]> {
    const rows = await this.run(NEIGHBORHOOD[hops], { tenant, id: entityId, limit });
    return rows.map((row) => ({ entity: toEntity(row), hops: Number(row.hops) }));
  }

  forgetEpisodes(tenant: string, episodeIds: string[]): Promise<ForgetCount> {
    if (episodeIds.length === 0) return Promise.resolve({ facts: 0, entities: 0 });
    return this.atomically(async () => {
      const facts = await this.run(
        `UNWIND $ids AS episode MATCH ()-[f:Fact]->() WHERE f.tenant = $tenant AND list_contains(f.episodes, episode)
         RETURN DISTINCT f.id AS id, f.episodes AS episodes`,
        { tenant, ids: episodeIds },
      );
      const entities = await this.run(
        `UNWIND $ids AS episode MATCH (e:Entity) WHERE e.tenant = $tenant AND list_contains(e.episodes, episode)
         RETURN DISTINCT e.id AS id, e.episodes AS episodes`,
        { tenant, ids: episodeIds },
      );
      const gone = new Set(episodeIds);
      const count = { facts: 0, entities: 0 };
      for (const row of facts) {
        const left = (row.episodes as string[]).filter((e) => !gone.has(e));
        if (left.length === 0) {
          await this.run(`MATCH ()-[f:Fact]->() WHERE f.tenant = $tenant AND f.id = $id DELETE f`, {
            tenant,
            id: row.id,
          });
          count.facts++;
        } else await this.updateFact(tenant, text(row.id), { episodes: left });
      }
      for (const row of entities) {
        const left = (row.episodes as string[]).filter((e) => !gone.has(e));
        // An entity a surviving fact still uses (stated by the user, or from another episode) stays.
        const attached = await this.run(
          `MATCH (e:Entity {id: $id})-[f:Fact]-() WHERE e.tenant = $tenant RETURN count(f) AS n`,
          { tenant, id: row.id },
        );
        if (left.length === 0 && Number(attached[0]?.n ?? 0) === 0) {
          await this.run(`MATCH (e:Entity {id: $id}) WHERE e.tenant = $tenant DETACH DELETE e`, {
            tenant,
            id: row.id,
          });
          count.entities++;
        } else await this.updateEntity(tenant, text(row.id), { episodes: left });
      }
      if (count.entities > 0) await this.dropOrphanNames();
      return count;
    });
  }

  recordAudit(entry: AuditRecord): Promise<void> {
    return recordAudit(this.runner, entry);
  }

  auditTrail(tenant: string, first: number, before?: number): Promise<AuditRecord[]> {
    return auditTrail(this.runner, tenant, first, before);
  }

  entitiesPage(tenant: string, afterId: string, limit: number): Promise<EntityRecord[]> {
    return entitiesPage(this.runner, tenant, afterId, limit);
  }

  factsPage(tenant: string, afterId: string, limit: number): Promise<FactRecord[]> {
    return factsPage(this.runner, tenant, afterId, limit);
  }

  private async dropOrphanNames(): Promise<void> {
    await this.run(`MATCH (n:Name) WHERE NOT (n)-[:NAMES]->(:Entity) DELETE n`);
  }

  forgetTenant(tenant: string): Promise<ForgetCount> {
    return this.atomically(async () => {
      const before = await this.counts(tenant);
      await this.run(`MATCH (e:Entity) WHERE e.tenant = $tenant DETACH DELETE e`, { tenant });
      await this.dropOrphanNames();
      return before;
    });
  }

  async counts(tenant: string): Promise<ForgetCount> {
    const [entities] = await this.run(`MATCH (e:Entity) WHERE e.tenant = $tenant RETURN count(e) AS n`, {
      tenant,
    });
    const [facts] = await this.run(`MATCH ()-[f:Fact]->() WHERE f.tenant = $tenant RETURN count(f) AS n`, {
      tenant,
    });
    return { entities: Number(entities?.n ?? 0), facts: Number(facts?.n ?? 0) };
  }

  async totals(): Promise<ForgetCount> {
    const [entities] = await this.run('MATCH (e:Entity) RETURN count(e) AS n', {});
    const [facts] = await this.run('MATCH ()-[f:Fact]->() RETURN count(f) AS n', {});
    return { entities: Number(entities?.n ?? 0), facts: Number(facts?.n ?? 0) };
  }

  async bulkLoad(tenant: string, entities: EntityRecord[], facts: FactRecord[]): Promise<void> {
    const stranger = [...entities, ...facts].find((row) => row.tenant !== tenant);
    if (stranger) throw new Error(`bulkLoad for tenant ${tenant} got a row of tenant ${stranger.tenant}`);
    // One transaction, and not only for atomicity: each auto-committed COPY into Fact rewrites the adjacency
    // of every node group its edges touch (random edges: all): 300k facts among 100k entities took 115 s, not 5.
    await this.atomically(() =>
      bulkLoad((statement, params) => this.run(statement, params), tenant, entities, facts),
    );
  }

  /** One statement on the lane (or directly, inside atomically()). */
  private run(statement: string, params: Record<string, unknown> = {}): Promise<Row[]> {
    if (this.inTransaction.getStore()) return this.exec(statement, params);
    return this.serial(() => this.exec(statement, params));
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lane.then(fn, fn);
    this.lane = next.catch(() => undefined);
    return next;
  }

  private async exec(statement: string, params: Record<string, unknown>): Promise<Row[]> {
    const conn = this.conn;
    if (!conn) throw new Error('the semantic graph is closed');
    const prepared = await conn.prepare(statement);
    if (!prepared.isSuccess()) throw new Error(prepared.getErrorMessage());
    const result = await conn.execute(prepared, params as Record<string, KuzuValue>);
    const results: QueryResult[] = Array.isArray(result) ? result : [result];
    try {
      // Our statements return only scalars, lists and maps of them: the CypherValue subset of KuzuValue.
      return (await results[results.length - 1]!.getAll()) as Row[];
    } finally {
      // An unclosed result crashes the process when the database closes.
      for (const r of results) r.close();
    }
  }
}
