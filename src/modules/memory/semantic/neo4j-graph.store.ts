import { AsyncLocalStorage } from 'node:async_hooks';
import neo4j, { type Driver, type ManagedTransaction, type Session, type Transaction } from 'neo4j-driver';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
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
  AUDIT_TRAIL,
  chunks,
  COUNTS,
  FACT_BY_ID,
  ENTITIES_PAGE,
  FACTS_PAGE,
  FORGET_BARE_ENTITIES,
  FORGET_FACTS,
  LINEAGE,
  RECORD_AUDIT,
  TOTALS,
  CREATE_ENTITIES,
  CREATE_FACTS,
  CURRENT_FACTS,
  DROP_ORPHAN_NAMES,
  ENTITIES_CONTAINING,
  ENTITIES_NAMED,
  ENTITY_BY_ID,
  ENTITY_PATCH_KEYS,
  entityRow,
  FACT_PATCH_KEYS,
  factRow,
  FACTS_ABOUT,
  FORGET_ENTITY_EPISODES,
  FORGET_FACT_EPISODES,
  FORGET_TENANT_ENTITIES,
  FORGET_TENANT_NAMES,
  NEIGHBORHOOD,
  type ParamsOf,
  type ParamSpec,
  pickPatch,
  type Row,
  SCHEMA,
  type Statement,
  toNorms,
  UPDATE_ENTITY,
  UPDATE_FACT,
} from './neo4j-cypher.js';
import { texts, toAudit, toEntity, toFact, toFactView, toNeighbor } from './graph-rows.js';

// The only file that imports neo4j-driver (docs/conventions.md rule 1).

export interface Neo4jOptions {
  uri: string;
  user: string;
  password: string;
  /** The server's default database when unset. */
  database?: string;
}

/** The explicit transaction of an atomically() call, and the lane its statements run on one at a time. */
interface Scope {
  tx: ManagedTransaction;
  lane: Promise<unknown>;
}

/**
 * The semantic graph on a Neo4j 5 server. Outside atomically() each statement is its own managed transaction
 * (routed and retried by the driver); atomically() holds one explicit transaction for every call made inside
 * it, found through AsyncLocalStorage.
 */
export class Neo4jGraphStore extends GraphStore {
  readonly backend = 'neo4j';
  private driver: Driver | undefined;
  private readonly scope = new AsyncLocalStorage<Scope>();
  private transactions: Promise<unknown> = Promise.resolve();
  private schema: Promise<void> | undefined;
  // Shared by every session: on a cluster a read then sees the writes this store made before it (causal chain).
  private readonly bookmarks = neo4j.bookmarkManager();

  constructor(private readonly options: Neo4jOptions) {
    super();
  }

  async init(): Promise<void> {
    const { uri, user, password } = this.options;
    this.driver = neo4j.driver(uri, neo4j.auth.basic(user, password), {
      // Counts and path lengths come back as numbers; timestamps are stored as floats, exact to 2^53 ms.
      disableLosslessIntegers: true,
      // A server that is down should fail a request in seconds, not after the 30 s default of retries.
      maxTransactionRetryTime: 5_000,
      connectionAcquisitionTimeout: 10_000,
    });
    await this.ready();
  }

  /**
   * Connects and applies the schema once; a server that is down at boot fails this (STORE_UNAVAILABLE) but
   * keeps the driver, and the next call tries again — service starts when Neo4j does, without a restart.
   */
  private ready(): Promise<void> {
    this.schema ??= (async () => {
      await this.driver?.verifyConnectivity({ database: this.options.database });
      for (const cypher of SCHEMA) await this.managed('write', (tx) => this.query(tx, cypher, {}));
    })().catch((error: unknown) => {
      this.schema = undefined;
      throw this.explain(error);
    });
    return this.schema;
  }

  async close(): Promise<void> {
    const driver = this.driver;
    this.driver = undefined;
    await driver?.close();
  }

  async atomically<T>(fn: () => Promise<T>): Promise<T> {
    if (this.scope.getStore()) return fn();
    // One learning transaction at a time in this process, as on kuzu: two concurrent learns of a new name would
    // otherwise both create its entity. (Server processes sharing one Neo4j can still race; see
    // docs/development.md#semantic-memory-on-neo4j.)
    const run = this.transactions.then(() => this.transaction(fn));
    this.transactions = run.catch(() => undefined);
    return run;
  }

  private async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.ready();
    const session = this.session();
    try {
      // A managed transaction: the driver re-runs fn on transient failures (deadlock, leader change); fn only
      // calls this store, and a failed attempt was rolled back, so running it again is safe.
      return await session.executeWrite((tx) => this.scope.run({ tx, lane: Promise.resolve() }, fn));
    } catch (error) {
      throw this.explain(error);
    } finally {
      await session.close();
    }
  }

  async createEntity(e: EntityRecord): Promise<void> {
    await this.run(CREATE_ENTITIES, { tenant: e.tenant, rows: [entityRow(e)] });
  }

  async updateEntity(
    tenant: string,
    id: string,
    patch: Partial<
      Pick<EntityRecord, 'name' | 'norm' | 'type' | 'aliases' | 'episodes' | 'summary' | 'embedding'>
    >,
  ): Promise<void> {
    const fields = pickPatch(patch, ENTITY_PATCH_KEYS);
    if (Object.keys(fields).length === 0) return;
    // New names join the index; old ones stay (an entity keeps answering to what it was called), as in kuzu.
    const names = [...new Set([patch.norm, ...(patch.aliases ?? [])])].filter(
      (n): n is string => n !== undefined,
    );
    await this.run(UPDATE_ENTITY, { tenant, id, patch: fields, names });
  }

  async entity(tenant: string, id: string): Promise<EntityRecord | undefined> {
    const [row] = await this.run(ENTITY_BY_ID, { tenant, id });
    return row && toEntity(row);
  }

  entitiesNamed(tenant: string, norm: string): Promise<EntityRecord[]> {
    return this.entitiesNamedAny(tenant, [norm]);
  }

  async entitiesNamedAny(tenant: string, norms: string[]): Promise<EntityRecord[]> {
    if (norms.length === 0) return [];
    const rows = await this.run(ENTITIES_NAMED, { tenant, norms: [...new Set(norms)] });
    return rows.map(toEntity);
  }

  async entitiesContaining(tenant: string, token: string, limit: number): Promise<EntityRecord[]> {
    return (await this.run(ENTITIES_CONTAINING, { tenant, token, limit })).map(toEntity);
  }

  async addFact(f: FactRecord): Promise<void> {
    // Like kuzu, a fact whose endpoints are not the tenant's entities is not written (and not an error).
    await this.run(CREATE_FACTS, { tenant: f.tenant, rows: [factRow(f)] });
  }

  async updateFact(tenant: string, id: string, patch: FactPatch): Promise<void> {
    const fields = pickPatch(patch, FACT_PATCH_KEYS);
    if (Object.keys(fields).length === 0) return;
    await this.run(UPDATE_FACT, { tenant, id, patch: fields });
  }

  async fact(tenant: string, id: string): Promise<FactView | undefined> {
    const [row] = await this.run(FACT_BY_ID, { tenant, id });
    return row && toFactView(row);
  }

  async lineage(tenant: string, lineage: string): Promise<FactView[]> {
    return (await this.run(LINEAGE, { tenant, lineage })).map(toFactView);
  }

  forgetFacts(tenant: string, ids: string[]): Promise<ForgetCount> {
    return this.atomically(async () => {
      const versions = await this.run(FORGET_FACTS, { tenant, ids });
      const ends = [...new Set(versions.flatMap((row) => texts(row.ends)))];
      const gone = await this.run(FORGET_BARE_ENTITIES, { tenant, ids: ends });
      const norms = [...new Set(gone.flatMap(toNorms))];
      for (const batch of chunks(norms)) await this.run(DROP_ORPHAN_NAMES, { tenant, norms: batch });
      return { facts: versions.length, entities: gone.length };
    });
  }

  async recordAudit(entry: AuditRecord): Promise<void> {
    // Exactly the record's fields: the map becomes the node's properties.
    const { id, tenant, at, action, target, result, actor, episodes, facts, entities } = entry;
    await this.run(RECORD_AUDIT, {
      entry: { id, tenant, at, action, target, result, actor, episodes, facts, entities },
    });
  }

  async auditTrail(tenant: string, first: number, before?: number): Promise<AuditRecord[]> {
    const rows = await this.run(AUDIT_TRAIL, { tenant, first, before: before ?? Number.MAX_SAFE_INTEGER });
    return rows.map(toAudit);
  }

  async entitiesPage(tenant: string, afterId: string, limit: number): Promise<EntityRecord[]> {
    return (await this.run(ENTITIES_PAGE, { tenant, after: afterId, limit })).map(toEntity);
  }

  async factsPage(tenant: string, afterId: string, limit: number): Promise<FactRecord[]> {
    return (await this.run(FACTS_PAGE, { tenant, after: afterId, limit })).map(toFact);
  }

  async currentFacts(tenant: string, subjectId: string, predicate: string): Promise<FactRecord[]> {
    return (await this.run(CURRENT_FACTS, { tenant, subjectId, predicate })).map(toFact);
  }

  async factsAbout(tenant: string, entityId: string, window: FactWindow, limit: number): Promise<FactView[]> {
    const { validAt, knownAt } = window;
    return (await this.run(FACTS_ABOUT, { tenant, entityId, validAt, knownAt, limit })).map(toFactView);
  }

  async neighborhood(tenant: string, entityId: string, hops: 1 | 2 | 3, limit: number): Promise<Neighbor[]> {
    return (await this.run(NEIGHBORHOOD[hops], { tenant, id: entityId, limit })).map(toNeighbor);
  }

  forgetEpisodes(tenant: string, episodeIds: string[]): Promise<ForgetCount> {
    if (episodeIds.length === 0) return Promise.resolve({ facts: 0, entities: 0 });
    const ids = [...new Set(episodeIds)];
    // Facts first: an entity goes only if no fact, including one just kept, still uses it.
    return this.atomically(async () => {
      const [facts] = await this.run(FORGET_FACT_EPISODES, { tenant, ids });
      const gone = await this.run(FORGET_ENTITY_EPISODES, { tenant, ids });
      const norms = [...new Set(gone.flatMap(toNorms))];
      for (const batch of chunks(norms)) {
        await this.run(DROP_ORPHAN_NAMES, { tenant, norms: batch });
      }
      return { facts: Number(facts?.deleted ?? 0), entities: gone.length };
    });
  }

  forgetTenant(tenant: string): Promise<ForgetCount> {
    return this.atomically(async () => {
      const before = await this.counts(tenant);
      // Names first: they are found through the entities.
      await this.run(FORGET_TENANT_NAMES, { tenant });
      await this.run(FORGET_TENANT_ENTITIES, { tenant });
      return before;
    });
  }

  async counts(tenant: string): Promise<ForgetCount> {
    const [row] = await this.run(COUNTS, { tenant });
    return { entities: Number(row?.entities ?? 0), facts: Number(row?.facts ?? 0) };
  }

  async totals(): Promise<ForgetCount> {
    const [row] = await this.run(TOTALS, {});
    return { entities: Number(row?.entities ?? 0), facts: Number(row?.facts ?? 0) };
  }

  async bulkLoad(tenant: string, entities: EntityRecord[], facts: FactRecord[]): Promise<void> {
    const stranger = [...entities, ...facts].find((row) => row.tenant !== tenant);
    if (stranger) throw new Error(`bulkLoad for tenant ${tenant} got a row of tenant ${stranger.tenant}`);
    // One transaction: an id that exists already breaks the uniqueness constraint, a fact whose endpoint is
    // neither loaded nor the tenant's is not created (and counted here); either way nothing lands.
    await this.atomically(async () => {
      for (const rows of chunks(entities))
        await this.run(CREATE_ENTITIES, { tenant, rows: rows.map(entityRow) });
      for (const rows of chunks(facts)) {
        const [row] = await this.run(CREATE_FACTS, { tenant, rows: rows.map(factRow) });
        if (Number(row?.created ?? 0) !== rows.length) {
          throw new Error(
            `bulkLoad for tenant ${tenant}: a fact names an entity that is neither loaded nor theirs`,
          );
        }
      }
    });
  }

  /** One statement: on the atomically() transaction when inside one, else in its own managed transaction. */
  private run<S extends ParamSpec>(statement: Statement<S>, params: ParamsOf<S>): Promise<Row[]> {
    // Exactly the declared parameters travel (the spec checks they are exactly those the Cypher uses).
    const values: Record<string, unknown> = {};
    for (const name of Object.keys(statement.params)) values[name] = params[name];
    const query = (tx: Transaction | ManagedTransaction) => this.query(tx, statement.cypher, values);

    const scope = this.scope.getStore();
    if (scope) {
      // One statement at a time on the transaction, even if fn starts several without awaiting.
      const next = scope.lane.then(
        () => query(scope.tx),
        () => query(scope.tx),
      );
      scope.lane = next.catch(() => undefined);
      return next;
    }
    return this.ready().then(() => this.managed(statement.mode, query));
  }

  private async managed<T>(mode: 'read' | 'write', work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    const session = this.session();
    try {
      return await (mode === 'read' ? session.executeRead(work) : session.executeWrite(work));
    } catch (error) {
      throw this.explain(error);
    } finally {
      await session.close();
    }
  }

  private async query(
    tx: Transaction | ManagedTransaction,
    cypher: string,
    params: Record<string, unknown>,
  ): Promise<Row[]> {
    const result = await tx.run(cypher, params);
    // Our statements return only scalars and lists of them: Value, once integers come back as numbers.
    return result.records.map((record) => record.toObject() as Row);
  }

  private session(): Session {
    if (!this.driver) throw new Error('the semantic graph is closed');
    return this.driver.session({ database: this.options.database, bookmarkManager: this.bookmarks });
  }

  /** An unreachable server becomes STORE_UNAVAILABLE (HTTP 503) naming its URI; other errors pass through. */
  private explain(error: unknown): unknown {
    const unreachable =
      error instanceof neo4j.Neo4jError &&
      (error.code === neo4j.error.SERVICE_UNAVAILABLE || error.code === neo4j.error.SESSION_EXPIRED);
    if (!unreachable) return error;
    return new MnemeError(
      ErrorCode.STORE_UNAVAILABLE,
      `Semantic memory (Neo4j at ${this.options.uri}) is unreachable: ${error.message}. Retry shortly.`,
      { retryAfterSeconds: 2, details: { tier: 'semantic' }, cause: error },
    );
  }
}
