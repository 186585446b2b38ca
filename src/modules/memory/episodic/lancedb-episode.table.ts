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
  decayedCondition,
  fromRow,
  keysetAfter,
  mediaColumn,
  revisionRow,
  sessionRowOf,
  SESSION_COLUMNS,
  migrating,
  num,
  str,
  toRow,
  where,
  type EmbedderIdentity,
  type EpisodeRow,
  type VectorLayout,
  type VectorTuning,
} from './lancedb-episode.rows.js';
import { settleSpace, type SpaceTable, type StaleText, type TableColumns } from './vector-space.js';

export type { VectorTuning } from './lancedb-episode.rows.js';

const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

// The only file that imports @lancedb/lancedb and apache-arrow (docs/conventions.md rule 1).

const TABLE = 'episodes';
/** Where tables from before vector spaces kept their embedder (`name:dims`), read once to adopt them. */
const LEGACY_EMBEDDER_KEY = 'mneme.embedder';

/**
 * The episodic table in an embedded LanceDB directory. Every read and delete goes through `where()`, which
 * always starts with the tenant; values are escaped, ids never concatenated raw. Which column holds the current
 * embedder's vectors is the layout's business (see vector-space.ts, which settles it at open).
 */
export class LanceEpisodeTable implements SpaceTable {
  layout: VectorLayout;

  private constructor(
    private db: lancedb.Connection,
    private table: lancedb.Table,
    embedder: EmbedderIdentity,
    private readonly reconnect: () => Promise<lancedb.Connection>,
  ) {
    const { space, dims } = embedder;
    this.layout = { column: 'vector', spaceColumn: 'vector_space', space, dims, width: dims };
  }

  /** Opens (or creates) the table and settles its vector space against the configured embedder. */
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
    const exists = (await db.tableNames()).includes(TABLE);
    const table = exists
      ? await db.openTable(TABLE)
      : await db.createEmptyTable(TABLE, schemaFor(embedder.dims), { existOk: true });
    const episodes = new LanceEpisodeTable(db, table, embedder, connect);
    try {
      await settleSpace(episodes, embedder);
    } catch (error) {
      episodes.close();
      throw error;
    }
    return episodes;
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
    const { dims } = this.layout;
    for (const r of records) {
      for (const v of [r.vector, r.imageVector, r.audioVector, r.fusedVector]) {
        if (v && v.length !== dims)
          throw new Error(`episode ${r.id} has a ${v.length}-dim vector; the current space has ${dims}`);
      }
    }
    await this.table.add(records.map((r) => toRow(r, this.layout)));
  }

  /** Nearest episodes in the current space; while re-embedding, among the rows re-embedded so far. */
  vectorSearch(
    vector: Float32Array,
    filter: EpisodeFilter,
    limit: number,
    tuning: VectorTuning | undefined,
  ): Promise<(EpisodeRecord & { distance: number })[]> {
    const { column, spaceColumn, space } = this.layout;
    const inSpace = migrating(this.layout) ? `${spaceColumn} = ${str(space)}` : undefined;
    return this.nearest(vector, column, where(filter, inSpace), limit, tuning);
  }

  /**
   * Nearest episodes by one shared-space media column; rows without that medium are never candidates (while
   * re-embedding, only episodes written since the model change have media vectors in the new space).
   */
  async mediaSearch(
    vector: Float32Array,
    column: MediaVectorColumn,
    filter: EpisodeFilter,
    limit: number,
  ): Promise<(EpisodeRecord & { distance: number })[]> {
    const name = mediaColumn(MEDIA_COLUMNS[column], this.layout);
    return this.nearest(vector, name, where(filter, `${name} IS NOT NULL`), limit, undefined);
  }

  private async nearest(
    vector: Float32Array,
    column: string,
    predicate: string,
    limit: number,
    tuning: VectorTuning | undefined,
  ): Promise<(EpisodeRecord & { distance: number })[]> {
    let query = this.table
      .vectorSearch(vector)
      .column(column)
      .distanceType('cosine')
      .where(predicate)
      .select([...COLUMNS, this.layout.column, '_distance'])
      .limit(limit);
    if (tuning) query = query.nprobes(tuning.nprobes).refineFactor(tuning.refineFactor);
    const rows = await query.toArray();
    return rows.map((row: EpisodeRow) => ({ ...fromRow(row, this.layout), distance: Number(row._distance) }));
  }

  /** Episodes whose text matches the words (BM25 over the full-text index). */
  async textSearch(
    text: string,
    filter: EpisodeFilter,
    limit: number,
  ): Promise<(EpisodeRecord & { score: number })[]> {
    const rows = await this.table
      .query()
      .fullTextSearch(text, { columns: ['text'] })
      .where(where(filter))
      .select([...COLUMNS, this.layout.column, '_score'])
      .limit(limit)
      .toArray();
    return rows.map((row: EpisodeRow) => ({ ...fromRow(row, this.layout), score: Number(row._score) }));
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
    return this.ordered(where(filter, keysetAfter(after, newestFirst)), !newestFirst, limit, withVectors);
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
    const media = Object.values(MEDIA_COLUMNS).map((name) => mediaColumn(name, this.layout));
    const vectors = withVectors ? [this.layout.column, ...media] : [];
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
    return rows.map((row: EpisodeRow) => fromRow(row, this.layout));
  }

  /** Every episode's id, session, time and role (narrow columns): what the sessions list is made from. */
  async sessionRows(tenant: string): Promise<SessionRow[]> {
    return (await this.scan(where({ tenant }), SESSION_COLUMNS)).map(sessionRowOf);
  }

  /** Every row matching, these columns only; an explicit limit, or LanceDB stops at its default page. */
  private async scan(predicate: string, columns: string[]): Promise<EpisodeRow[]> {
    const count = await this.table.countRows(predicate);
    if (count === 0) return [];
    const rows = await this.table.query().where(predicate).select(columns).limit(count).toArray();
    return rows.map((row: EpisodeRow) => row);
  }

  /** Counts the tenant's rows matching a fixed (never user-built) extra condition. */
  countWhere(tenant: string, condition: string): Promise<number> {
    return this.table.countRows(where({ tenant }, condition));
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
    const pending = await this.matching(`consolidation = ${num(CONSOLIDATION.PENDING)}`, limit);
    return pending.sort((a, b) => a.createdAt - b.createdAt);
  }

  /**
   * Live episodes whose decay score — importance × recency (half-life from the later of creation and last
   * recall) × use (1 + ln(1 + recalls)) — fell below `threshold`, across tenants (the maintenance job's read).
   */
  decayed(now: number, halfLifeMs: number, threshold: number, limit: number): Promise<EpisodeRecord[]> {
    return this.matching(decayedCondition(now, halfLifeMs, threshold), limit);
  }

  /** Up to `limit` rows of any tenant matching a fixed (never user-built) condition, without vectors. */
  async matching(condition: string, limit: number): Promise<EpisodeRecord[]> {
    const rows = await this.table.query().where(condition).select(COLUMNS).limit(limit).toArray();
    return rows.map((row: EpisodeRow) => fromRow(row, this.layout));
  }

  /** Rewrites one episode's text (with its summary and vector) or importance, in place: one commit. */
  async revise(tenant: string, id: string, values: EpisodeRevision): Promise<void> {
    const { dims } = this.layout;
    if (values.vector && values.vector.length !== dims)
      throw new Error(
        `episode ${id} got a ${values.vector.length}-dim vector; the current space has ${dims}`,
      );
    const row = revisionRow(values, this.layout);
    if (Object.keys(row).length === 0) return;
    // Values, not SQL: LanceDB quotes them itself.
    await this.table.update({ where: where({ tenant, ids: [id] }), values: row });
  }

  /** Sets fixed SQL values (never user input) on the tenant's rows with these ids, in one commit. */
  async setColumns(tenant: string, ids: string[], valuesSql: Record<string, string>): Promise<void> {
    if (ids.length === 0) return;
    await this.table.update({ where: where({ tenant, ids }), valuesSql });
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
    const { dims } = this.layout;
    const numSubVectors = dims % 8 === 0 ? dims / 8 : dims % 4 === 0 ? dims / 4 : 1;
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

  // Schema and re-embed primitives for vector-space.ts: fixed column names and conditions, never user input.

  /** Each column with its vector width (undefined for non-vectors), and the embedder tag of tables before spaces. */
  async columns(): Promise<TableColumns> {
    const schema = await this.table.schema();
    // Duck-typed: the schema's arrow classes are LanceDB's own CommonJS copy, not the ones imported here.
    const width = (type: unknown) => (type as { listSize?: number }).listSize;
    return {
      widths: new Map(schema.fields.map((f) => [f.name, width(f.type)])),
      legacyEmbedder: schema.metadata.get(LEGACY_EMBEDDER_KEY),
    };
  }

  async addColumns(columns: { name: string; valueSql: string }[]): Promise<void> {
    if (columns.length) await this.table.addColumns(columns);
  }

  async dropColumns(names: string[]): Promise<void> {
    if (names.length) await this.table.dropColumns(names);
  }

  async renameColumns(renames: [from: string, to: string][]): Promise<void> {
    await this.table.alterColumns(renames.map(([path, rename]) => ({ path, rename })));
  }

  /** Drops the index over a column, if there is one (a column cannot be dropped under its index). */
  async dropIndexOn(column: string): Promise<void> {
    for (const index of await this.table.listIndices())
      if (index.columns.includes(column)) await this.table.dropIndex(index.name);
  }

  /** Rows of every tenant matching a fixed condition (all of them without one). */
  countRows(condition?: string): Promise<number> {
    return this.table.countRows(condition);
  }

  async updateRows(condition: string, valuesSql: Record<string, string>): Promise<void> {
    await this.table.update({ where: condition, valuesSql });
  }

  /**
   * Writes re-embedded vectors into the migration column, in one commit. A row whose text changed since it was
   * read keeps what it has (its revision already wrote a vector in the new space).
   */
  async storeNextVectors(rows: (StaleText & { vector: Float32Array })[]): Promise<void> {
    if (rows.length === 0) return;
    const { space, dims } = this.layout;
    const data = rows.map((r) => {
      if (r.vector.length !== dims) throw new Error(`episode ${r.id}: ${r.vector.length} dims, not ${dims}`);
      return { id: r.id, tenant: r.tenant, text: r.text, next_vector: [...r.vector], next_space: space };
    });
    // An arrow table of just these columns: from plain objects, LanceDB would want the (non-null) `vector` too.
    const schema = new Schema([
      ...['id', 'tenant', 'text'].map((name) => new Field(name, new Utf8(), false)),
      new Field('next_vector', vectorType(dims), true),
      new Field('next_space', new Utf8(), true),
    ]);
    await this.table
      .mergeInsert(['id', 'tenant'])
      .whenMatchedUpdateAll({ where: 'target.text = source.text' })
      .execute(lancedb.makeArrowTable(data, { schema }));
  }

  async versions(): Promise<number> {
    return (await this.table.listVersions()).length;
  }

  close(): void {
    this.table.close();
    this.db.close();
  }
}

function schemaFor(dims: number): Schema {
  const texts = ['id', 'tenant', 'session_id', 'role', 'text', 'summary', 'modality'];
  return new Schema([
    ...texts.map((name) => new Field(name, new Utf8(), false)),
    new Field('created_at', new Float64(), false),
    new Field('importance', new Float32(), false),
    new Field('access_count', new Int32(), false),
    new Field('last_access_at', new Float64(), false),
    new Field('media', new List(new Field('item', new Utf8(), true)), false),
    new Field('consolidation', new Float64(), false),
    new Field('archived_at', new Float64(), false),
    new Field('sources', new List(new Field('item', new Utf8(), true)), true),
    new Field('vector', vectorType(dims), false),
    new Field('vector_space', new Utf8(), true),
    ...Object.values(MEDIA_COLUMNS).map((name) => new Field(name, vectorType(dims), true)),
  ]);
}

function vectorType(dims: number): FixedSizeList {
  return new FixedSizeList(dims, new Field('item', new Float32(), true));
}
