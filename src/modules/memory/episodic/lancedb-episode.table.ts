import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Float64, Int32, List, Schema, Utf8 } from 'apache-arrow';
import {
  CONSOLIDATION,
  type EpisodeCursor,
  type EpisodeFilter,
  type EpisodeRecord,
  type EpisodeRevision,
  type MediaVectorColumn,
  type SessionRow,
} from './episode.record.js';
import {
  COLUMNS,
  MEDIA_COLUMNS,
  fromRow,
  num,
  str,
  toRow,
  where,
  type EmbedderIdentity,
  type EpisodeRow,
  type VectorTuning,
} from './lancedb-episode.rows.js';

export type { VectorTuning } from './lancedb-episode.rows.js';

const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

// The only file that imports @lancedb/lancedb and apache-arrow (docs/conventions.md rule 1).

const TABLE = 'episodes';
const EMBEDDER_KEY = 'mneme.embedder';

/**
 * The episodic table in an embedded LanceDB directory. Every read and delete goes through `where()`, which
 * always starts with the tenant; values are escaped, ids never concatenated raw.
 */
export class LanceEpisodeTable {
  private constructor(
    private db: lancedb.Connection,
    private table: lancedb.Table,
    readonly dims: number,
    private readonly reconnect: () => Promise<lancedb.Connection>,
  ) {}

  /** Opens (or creates) the table; refuses a table built with another embedding model, saying what to do. */
  static async open(
    dir: string,
    embedder: EmbedderIdentity,
    cacheBytes = DEFAULT_CACHE_BYTES,
  ): Promise<LanceEpisodeTable> {
    // LanceDB caches index data and file metadata up to 7 GB by default: bounded here.
    const connect = () =>
      lancedb.connect(
        dir,
        {},
        new lancedb.Session(BigInt(Math.floor(cacheBytes * 0.75)), BigInt(Math.floor(cacheBytes * 0.25))),
      );
    const db = await connect();
    const identity = `${embedder.name}:${embedder.dims}`;
    let table: lancedb.Table;
    if ((await db.tableNames()).includes(TABLE)) {
      table = await db.openTable(TABLE);
      const stored = (await table.schema()).metadata.get(EMBEDDER_KEY);
      if (stored !== identity) {
        table.close();
        db.close();
        throw new Error(
          `episodic memory in ${dir} was embedded with ${stored ?? 'an unknown model'}, but the configured ` +
            `text-embedding model is ${identity}. Set MNEME_TEXT_EMBEDDING_MODEL back, or move that directory ` +
            'away to start an empty memory.',
        );
      }
      await addMissingColumns(table, embedder.dims);
    } else {
      table = await db.createEmptyTable(TABLE, schemaFor(embedder.dims, identity), { existOk: true });
    }
    return new LanceEpisodeTable(db, table, embedder.dims, connect);
  }

  /**
   * A fresh connection with empty caches: a cached index keeps its files open after optimize() replaced it, and
   * small indexes fit the cache by the thousand. Calls under way finish on the old handles; the old connection
   * and its cache are released once nothing refers to them (collected, not closed: closing could fail a read).
   */
  async refreshConnection(): Promise<void> {
    const db = await this.reconnect();
    const table = await db.openTable(TABLE);
    [this.db, this.table] = [db, table];
  }

  /** One commit (one table version) for the whole batch. */
  async add(records: EpisodeRecord[]): Promise<void> {
    if (records.length === 0) return;
    // LanceDB pads or truncates a vector of the wrong width without a word; refuse it instead.
    for (const r of records) {
      for (const v of [r.vector, r.imageVector, r.audioVector, r.fusedVector]) {
        if (v && v.length !== this.dims)
          throw new Error(`episode ${r.id} has a ${v.length}-dim vector; the table holds ${this.dims}`);
      }
    }
    await this.table.add(records.map(toRow));
  }

  async vectorSearch(
    vector: Float32Array,
    filter: EpisodeFilter,
    limit: number,
    tuning: VectorTuning | undefined,
  ): Promise<(EpisodeRecord & { distance: number })[]> {
    let query = this.table
      .vectorSearch(vector)
      .column('vector')
      .distanceType('cosine')
      .where(where(filter))
      .select([...COLUMNS, 'vector', '_distance'])
      .limit(limit);
    if (tuning) query = query.nprobes(tuning.nprobes).refineFactor(tuning.refineFactor);
    const rows = await query.toArray();
    return rows.map((row: EpisodeRow) => ({ ...fromRow(row), distance: Number(row._distance) }));
  }

  /** Nearest episodes by one shared-space media column; rows without that medium are never candidates. */
  async mediaSearch(
    vector: Float32Array,
    column: MediaVectorColumn,
    filter: EpisodeFilter,
    limit: number,
  ): Promise<(EpisodeRecord & { distance: number })[]> {
    const name = MEDIA_COLUMNS[column];
    const rows = await this.table
      .vectorSearch(vector)
      .column(name)
      .distanceType('cosine')
      .where(where(filter, `${name} IS NOT NULL`))
      .select([...COLUMNS, 'vector', '_distance'])
      .limit(limit)
      .toArray();
    return rows.map((row: EpisodeRow) => ({ ...fromRow(row), distance: Number(row._distance) }));
  }

  /** The shared-space vectors of the caller's episodes with these ids. */
  async textSearch(
    text: string,
    filter: EpisodeFilter,
    limit: number,
  ): Promise<(EpisodeRecord & { score: number })[]> {
    const rows = await this.table
      .query()
      .fullTextSearch(text, { columns: ['text'] })
      .where(where(filter))
      .select([...COLUMNS, 'vector', '_score'])
      .limit(limit)
      .toArray();
    return rows.map((row: EpisodeRow) => ({ ...fromRow(row), score: Number(row._score) }));
  }

  /**
   * Rows matching the filter after the cursor, in (createdAt, id) order — oldest first, or newest first —
   * sorted by LanceDB.
   */
  list(
    filter: EpisodeFilter,
    after: EpisodeCursor | undefined,
    limit: number,
    newestFirst = false,
    withVectors = false,
  ): Promise<EpisodeRecord[]> {
    const beyond = newestFirst ? '<' : '>';
    const keyset = after
      ? `(created_at ${beyond} ${num(after.createdAt)} OR (created_at = ${num(after.createdAt)} AND id ${beyond} ${str(after.id)}))`
      : undefined;
    return this.ordered(where(filter, keyset), !newestFirst, limit, withVectors);
  }

  /** The newest row matching the filter (by createdAt), if any. */
  async newest(filter: EpisodeFilter): Promise<EpisodeRecord | undefined> {
    return (await this.latest(filter, 1))[0];
  }

  /** The newest `limit` rows matching the filter, newest first. */
  latest(filter: EpisodeFilter, limit: number): Promise<EpisodeRecord[]> {
    return this.ordered(where(filter), false, limit);
  }

  private async ordered(
    predicate: string,
    ascending: boolean,
    limit: number,
    withVectors = false,
  ): Promise<EpisodeRecord[]> {
    const vectors = withVectors ? ['vector', ...Object.values(MEDIA_COLUMNS)] : [];
    const rows = await this.table
      .query()
      .where(predicate)
      .select([...COLUMNS, ...vectors]) // the sort columns must be selected, or LanceDB fails the sort
      .orderBy([
        { columnName: 'created_at', ascending },
        { columnName: 'id', ascending },
      ])
      .limit(limit)
      .toArray();
    return rows.map((row: EpisodeRow) => fromRow(row));
  }

  /** Every episode's id, session, time and role (narrow columns): what the sessions list is made from. */
  async sessionRows(tenant: string): Promise<SessionRow[]> {
    const rows = await this.scan(where({ tenant }), ['id', 'session_id', 'created_at', 'role']);
    return rows.map((row) => ({
      id: String(row.id),
      sessionId: String(row.session_id),
      createdAt: Number(row.created_at),
      role: String(row.role),
    }));
  }

  /** Every row matching, these columns only; an explicit limit, or LanceDB stops at its default page. */
  private async scan(predicate: string, columns: string[]): Promise<EpisodeRow[]> {
    const count = await this.table.countRows(predicate);
    if (count === 0) return [];
    const rows = await this.table.query().where(predicate).select(columns).limit(count).toArray();
    return rows.map((row: EpisodeRow) => row);
  }

  count(filter: EpisodeFilter): Promise<number> {
    return this.table.countRows(where(filter));
  }

  /** Counts the tenant's rows matching a fixed (never user-built) extra condition. */
  countWhere(tenant: string, condition: string): Promise<number> {
    return this.table.countRows(where({ tenant }, condition));
  }

  countAll(): Promise<number> {
    return this.table.countRows();
  }

  /** Deletes what matches; answers which rows went (their ids). */
  async delete(filter: EpisodeFilter): Promise<string[]> {
    const predicate = where(filter);
    const rows = await this.scan(predicate, ['id']);
    if (rows.length > 0) await this.table.delete(predicate);
    return rows.map((row) => String(row.id));
  }

  /**
   * Episodes waiting for fact extraction, oldest first, across tenants: the one read that is not scoped to a
   * tenant, for the background worker, which acts on each record under that record's own tenant.
   */
  async pendingConsolidation(limit: number): Promise<EpisodeRecord[]> {
    const rows = await this.table
      .query()
      .where(`consolidation = ${num(CONSOLIDATION.PENDING)}`)
      .select(COLUMNS)
      .limit(limit)
      .toArray();
    return rows.map((row: EpisodeRow) => fromRow(row)).sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Live episodes whose decay score — importance × recency (half-life from the later of creation and last
   * recall) × use (1 + ln(1 + recalls)) — fell below `threshold`, across tenants (the maintenance job's read).
   */
  async decayed(now: number, halfLifeMs: number, threshold: number, limit: number): Promise<EpisodeRecord[]> {
    const recent = 'CASE WHEN last_access_at > created_at THEN last_access_at ELSE created_at END';
    const score = `importance * power(0.5, (${num(now)} - ${recent}) / ${num(halfLifeMs)}) * (1 + ln(1 + access_count))`;
    const rows = await this.table
      .query()
      .where(`archived_at = 0 AND ${score} < ${num(threshold)}`)
      .select(COLUMNS)
      .limit(limit)
      .toArray();
    return rows.map((row: EpisodeRow) => fromRow(row));
  }

  /** Rewrites one episode's text (with its summary and vector) or importance, in place: one commit. */
  async revise(tenant: string, id: string, values: EpisodeRevision): Promise<void> {
    if (values.vector && values.vector.length !== this.dims)
      throw new Error(`episode ${id} got a ${values.vector.length}-dim vector; the table holds ${this.dims}`);
    const row: Record<string, string | number | number[]> = {};
    if (values.text !== undefined) row.text = values.text;
    if (values.summary !== undefined) row.summary = values.summary;
    if (values.vector) row.vector = [...values.vector];
    if (values.importance !== undefined) row.importance = values.importance;
    if (values.consolidation !== undefined) row.consolidation = values.consolidation;
    if (Object.keys(row).length === 0) return;
    // Values, not SQL: LanceDB quotes them itself.
    await this.table.update({ where: where({ tenant, ids: [id] }), values: row });
  }

  async archive(tenant: string, ids: string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.table.update({ where: where({ tenant, ids }), valuesSql: { archived_at: num(at) } });
  }

  async setConsolidation(tenant: string, ids: string[], value: number): Promise<void> {
    if (ids.length === 0) return;
    await this.table.update({ where: where({ tenant, ids }), valuesSql: { consolidation: num(value) } });
  }

  /** Counts one more recall of each id and stamps the time, in one commit. */
  async touch(tenant: string, ids: string[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.table.update({
      where: where({ tenant, ids }),
      valuesSql: { access_count: 'access_count + 1', last_access_at: num(at) },
    });
  }

  async hasIndex(column: string): Promise<boolean> {
    return (await this.table.listIndices()).some((index) => index.columns.includes(column));
  }

  async createTextIndex(): Promise<void> {
    await this.table.createIndex('text', {
      config: lancedb.Index.fts({ withPosition: false }),
      replace: true,
    });
  }

  /** IVF-PQ over the vectors: partitions ≈ √rows, sub-vectors of 8 dims (cosine). */
  async createVectorIndex(rows: number): Promise<void> {
    const numPartitions = Math.max(1, Math.round(Math.sqrt(rows)));
    const numSubVectors = this.dims % 8 === 0 ? this.dims / 8 : this.dims % 4 === 0 ? this.dims / 4 : 1;
    await this.table.createIndex('vector', {
      config: lancedb.Index.ivfPq({ numPartitions, numSubVectors, distanceType: 'cosine' }),
      replace: true,
    });
  }

  /** Compacts small fragments, folds new rows into the indexes and removes versions older than `olderThan`. */
  async optimize(olderThan: Date): Promise<{ fragmentsRemoved: number; versionsRemoved: number }> {
    const stats = await this.table.optimize({ cleanupOlderThan: olderThan });
    return {
      fragmentsRemoved: stats.compaction.fragmentsRemoved,
      versionsRemoved: stats.prune.oldVersionsRemoved,
    };
  }

  async versions(): Promise<number> {
    return (await this.table.listVersions()).length;
  }

  close(): void {
    this.table.close();
    this.db.close();
  }
}

function schemaFor(dims: number, identity: string): Schema {
  return new Schema(
    [
      new Field('id', new Utf8(), false),
      new Field('tenant', new Utf8(), false),
      new Field('session_id', new Utf8(), false),
      new Field('role', new Utf8(), false),
      new Field('text', new Utf8(), false),
      new Field('summary', new Utf8(), false),
      new Field('modality', new Utf8(), false),
      new Field('created_at', new Float64(), false),
      new Field('importance', new Float32(), false),
      new Field('access_count', new Int32(), false),
      new Field('last_access_at', new Float64(), false),
      new Field('media', new List(new Field('item', new Utf8(), true)), false),
      new Field('consolidation', new Float64(), false),
      new Field('archived_at', new Float64(), false),
      new Field('sources', new List(new Field('item', new Utf8(), true)), true),
      new Field('vector', vectorType(dims), false),
      ...Object.values(MEDIA_COLUMNS).map((name) => new Field(name, vectorType(dims), true)),
    ],
    new Map([[EMBEDDER_KEY, identity]]),
  );
}

function vectorType(dims: number): FixedSizeList {
  return new FixedSizeList(dims, new Field('item', new Float32(), true));
}

/** Tables from older versions get the newer columns, with defaults (no rewrite of existing data). */
async function addMissingColumns(table: lancedb.Table, dims: number): Promise<void> {
  const present = new Set((await table.schema()).fields.map((f) => f.name));
  const missing = Object.values(MEDIA_COLUMNS).filter((name) => !present.has(name));
  // A SQL cast, not an arrow Field: lancedb checks Fields with instanceof against its own CommonJS arrow.
  const columns = missing.map((name) => ({
    name,
    valueSql: `arrow_cast(NULL, 'FixedSizeList(${dims}, Float32)')`,
  }));
  // Episodes from before consolidation are not extracted after an upgrade (SKIPPED): no surprise LLM backlog.
  if (!present.has('consolidation')) columns.push({ name: 'consolidation', valueSql: 'CAST(-1 AS DOUBLE)' });
  if (!present.has('archived_at')) columns.push({ name: 'archived_at', valueSql: 'CAST(0 AS DOUBLE)' });
  if (!present.has('sources')) columns.push({ name: 'sources', valueSql: "arrow_cast(NULL, 'List(Utf8)')" });
  if (columns.length) await table.addColumns(columns);
}
