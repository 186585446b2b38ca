import type { EpisodeRecord } from './episode.record.js';
import {
  MEDIA_COLUMNS,
  NO_SPACE,
  migrating,
  str,
  type EmbedderIdentity,
  type VectorLayout,
} from './lancedb-episode.rows.js';

// How the episodic table follows the text embedder (see docs/memory-reembed.md). Every row says which space its
// vector is in. When the configured embedder computes another space, the table opens anyway, in a re-embed:
// vectors of the new space go to `next_vector` (new rows at once, old rows as `mneme reembed` gets to them),
// recall by meaning searches only those meanwhile, and once every row has one the cutover swaps the columns.
// Each step is one commit and each is found again from the schema and the rows, so a kill at any point resumes.

export interface TableColumns {
  widths: Map<string, number | undefined>;
  legacyEmbedder: string | undefined;
}

/** An episode to re-embed: its keys and the text its vector was read with. */
export type StaleText = Pick<EpisodeRecord, 'id' | 'tenant' | 'text'>;

/** What vector-space needs of the table (LanceEpisodeTable). */
export interface SpaceTable {
  layout: VectorLayout;
  columns(): Promise<TableColumns>;
  addColumns(columns: { name: string; valueSql: string }[]): Promise<void>;
  dropColumns(names: string[]): Promise<void>;
  renameColumns(renames: [from: string, to: string][]): Promise<void>;
  dropIndexOn(column: string): Promise<void>;
  countRows(condition: string): Promise<number>;
  updateRows(condition: string, valuesSql: Record<string, string>): Promise<void>;
}

const MEDIA = Object.values(MEDIA_COLUMNS);
/** The migration's columns: the new space's text vector, its tag, and its media vectors. */
const NEXT_MEDIA = MEDIA.map((name) => `next_${name}`);
const NEXT = ['next_vector', 'next_space', ...NEXT_MEDIA];
const nullVector = (dims: number) => `arrow_cast(NULL, 'FixedSizeList(${dims}, Float32)')`;

/**
 * Brings an opened table up to date with the configured embedder: older columns added, an interrupted cutover
 * finished, rows from before spaces adopted when their model is the configured one; sets the layout.
 */
export async function settleSpace(table: SpaceTable, embedder: EmbedderIdentity): Promise<void> {
  const before = await table.columns();
  if (!before.widths.has('vector') && before.widths.has('next_vector'))
    await finishCutover(table, embedder.dims);
  const current = await table.columns();
  const { legacyEmbedder } = current;
  let { widths } = current;
  const width = widths.get('vector') ?? embedder.dims;
  await addMissingColumns(table, widths, width, legacyEmbedder);
  const legacy = `vector_space = ${str(`legacy:${legacyEmbedder}`)}`;
  if (legacyEmbedder === `${embedder.name}:${embedder.dims}` && (await table.countRows(legacy)) > 0)
    await table.updateRows(legacy, { vector_space: str(embedder.space) });
  const inSpace =
    width === embedder.dims && (await table.countRows(`vector_space <> ${str(embedder.space)}`)) === 0;
  const base = { space: embedder.space, dims: embedder.dims, width };
  if (inSpace) {
    // A re-embed abandoned by going back to the model the table was in: its columns go.
    await table.dropColumns(NEXT.filter((c) => widths.has(c)));
    table.layout = { ...base, column: 'vector', spaceColumn: 'vector_space' };
    return;
  }
  if (widths.has('next_vector') && widths.get('next_vector') !== embedder.dims) {
    await table.dropColumns(NEXT.filter((c) => widths.has(c)));
    widths = (await table.columns()).widths;
  }
  const missing = NEXT.filter((c) => !widths.has(c));
  await table.addColumns(
    missing.map((name) => ({
      name,
      valueSql: name === 'next_space' ? "arrow_cast(NULL, 'Utf8')" : nullVector(embedder.dims),
    })),
  );
  table.layout = { ...base, column: 'next_vector', spaceColumn: 'next_space' };
  if ((await remainingCount(table)) === 0) await cutover(table);
}

/** Rows (of every tenant) still without a vector in the current space. */
export function staleCondition(layout: VectorLayout): string {
  return `next_space IS NULL OR next_space <> ${str(layout.space)}`;
}

export function remainingCount(table: SpaceTable): Promise<number> {
  return migrating(table.layout) ? table.countRows(staleCondition(table.layout)) : Promise.resolve(0);
}

/**
 * Every row has its new vector: the old column, its space tags and the old space's media vectors go, the new
 * columns take their names, and empty media columns of the new width come back.
 */
export async function cutover(table: SpaceTable): Promise<void> {
  for (const column of ['vector', ...MEDIA]) await table.dropIndexOn(column);
  await table.dropColumns(['vector', 'vector_space', ...MEDIA]);
  await finishCutover(table, table.layout.dims);
}

async function finishCutover(table: SpaceTable, dims: number): Promise<void> {
  const before = (await table.columns()).widths;
  const renames = NEXT.filter((c) => before.has(c)).map((c): [string, string] => [c, nextToCurrent(c)]);
  await table.renameColumns(renames);
  const { widths } = await table.columns();
  const media = MEDIA.filter((c) => !widths.has(c));
  await table.addColumns(media.map((name) => ({ name, valueSql: nullVector(dims) })));
  table.layout = { ...table.layout, column: 'vector', spaceColumn: 'vector_space', dims, width: dims };
}

const nextToCurrent = (column: string) =>
  column === 'next_space' ? 'vector_space' : column.slice('next_'.length);

/** Tables from older versions get the newer columns, with defaults (no rewrite of existing data). */
async function addMissingColumns(
  table: SpaceTable,
  widths: Map<string, number | undefined>,
  width: number,
  legacyEmbedder: string | undefined,
): Promise<void> {
  const columns = Object.values(MEDIA_COLUMNS)
    .filter((name) => !widths.has(name))
    // A SQL cast, not an arrow Field: lancedb checks Fields with instanceof against its own CommonJS arrow.
    .map((name) => ({ name, valueSql: nullVector(width) }));
  // Episodes from before consolidation are not extracted after an upgrade (SKIPPED): no surprise LLM backlog.
  if (!widths.has('consolidation')) columns.push({ name: 'consolidation', valueSql: 'CAST(-1 AS DOUBLE)' });
  if (!widths.has('archived_at')) columns.push({ name: 'archived_at', valueSql: 'CAST(0 AS DOUBLE)' });
  if (!widths.has('sources')) columns.push({ name: 'sources', valueSql: "arrow_cast(NULL, 'List(Utf8)')" });
  // Rows from before spaces are tagged with the table's old embedder tag (or none, if it had none).
  if (!widths.has('vector_space')) {
    const tag = legacyEmbedder ? `legacy:${legacyEmbedder}` : NO_SPACE;
    columns.push({ name: 'vector_space', valueSql: `arrow_cast(${str(tag)}, 'Utf8')` });
  }
  await table.addColumns(columns);
}
