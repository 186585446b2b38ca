import { type DbSchema, lintCypherQuery, parseParameters, testData } from '@neo4j-cypher/language-support';
import { toEntity, toFact } from './graph-rows.js';
import * as cypher from './neo4j-cypher.js';
import type { ParamKind, ParamSpec } from './neo4j-cypher.js';

// No Neo4j server in CI: every statement goes through Neo4j's own parser and semantic analysis (the language
// support package), against the schema the store writes, with exactly the parameters the adapter passes.

const sample: Record<ParamKind, unknown> = { string: 'x', strings: ['x'], number: 1, map: {}, rows: [{}] };

const schema = (params: ParamSpec): DbSchema => ({
  defaultLanguage: 'CYPHER 5',
  labels: ['Entity', 'Name', 'Audit'],
  relationshipTypes: ['FACT', 'NAMES'],
  graphSchema: [
    { from: 'Entity', to: 'Entity', relType: 'FACT' },
    { from: 'Name', to: 'Entity', relType: 'NAMES' },
  ],
  // Every property the store writes, and the keys of the row maps it unwinds: a typo reads as an unknown key
  // (a warning, which fails too).
  propertyKeys: [
    ...['id', 'tenant', 'name', 'norm', 'type', 'aliases', 'embedding', 'summary', 'episodes', 'createdAt'],
    ...['predicate', 'validFrom', 'validTo', 'expiredAt', 'confidence'],
    ...['names', 'subjectId', 'objectId'],
    ...['lineage', 'retiredBy', 'retiredReason', 'supersededBy'],
    ...['at', 'action', 'target', 'result', 'actor', 'facts', 'entities'],
  ],
  // The built-in (and APOC) function catalogue, so an unknown function is an error.
  functions: testData.mockSchema.functions,
  procedures: testData.mockSchema.procedures,
  parameters: Object.fromEntries(Object.entries(params).map(([name, kind]) => [name, sample[kind]])),
});

interface Found {
  name: string;
  cypher: string;
  params: ParamSpec;
}

/** Every statement the module exports: strings, Statement objects, and arrays or records of them. */
function collect(name: string, value: unknown, out: Found[]): void {
  if (typeof value === 'string') out.push({ name, cypher: value, params: {} });
  else if (Array.isArray(value)) value.forEach((v, i) => collect(`${name}[${i}]`, v, out));
  else if (value && typeof value === 'object') {
    if ('cypher' in value && typeof value.cypher === 'string' && 'params' in value) {
      out.push({ name, cypher: value.cypher, params: value.params as ParamSpec });
    } else for (const [key, v] of Object.entries(value)) collect(`${name}.${key}`, v, out);
  }
}
const statements: Found[] = [];
for (const [name, value] of Object.entries(cypher)) {
  // Patch key lists are data, not Cypher.
  if (!name.endsWith('_KEYS')) collect(name, value, statements);
}

const problems = (query: string, params: ParamSpec) =>
  lintCypherQuery(query, schema(params)).diagnostics.map(
    (d) => `${d.severity}: ${typeof d.message === 'string' ? d.message : d.message.value}`,
  );

describe('neo4j cypher', () => {
  it('finds every statement', () => {
    // A new statement joins this list, so the collector is known to reach it.
    expect(statements.map((s) => s.name).sort()).toEqual(
      [
        ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => `SCHEMA[${i}]`),
        ...['CREATE_ENTITIES', 'UPDATE_ENTITY', 'ENTITY_BY_ID', 'ENTITIES_NAMED', 'ENTITIES_CONTAINING'],
        ...['CREATE_FACTS', 'UPDATE_FACT', 'CURRENT_FACTS', 'FACTS_ABOUT'],
        ...['NEIGHBORHOOD.1', 'NEIGHBORHOOD.2', 'NEIGHBORHOOD.3'],
        ...['FORGET_FACT_EPISODES', 'FORGET_ENTITY_EPISODES', 'DROP_ORPHAN_NAMES'],
        ...['FORGET_TENANT_NAMES', 'FORGET_TENANT_ENTITIES', 'COUNTS', 'TOTALS'],
        ...['FACT_BY_ID', 'LINEAGE', 'FORGET_FACTS', 'FORGET_BARE_ENTITIES', 'RECORD_AUDIT', 'AUDIT_TRAIL'],
        ...['ENTITIES_PAGE', 'FACTS_PAGE'],
      ].sort(),
    );
    expect(statements.length).toBeGreaterThanOrEqual(34);
  });

  it.each(statements.map((s) => [s.name, s] as const))('%s is valid Neo4j 5 Cypher', (_name, s) => {
    expect(problems(s.cypher, s.params)).toEqual([]);
  });

  it.each(statements.map((s) => [s.name, s] as const))(
    '%s declares exactly the parameters it uses',
    (_n, s) => {
      expect([...new Set(parseParameters(s.cypher, false))].sort()).toEqual(Object.keys(s.params).sort());
    },
  );

  it('would catch an undefined variable, an undeclared parameter, a misspelt property or function', () => {
    expect(problems('MATCH (e:Entity) RETURN f', {})).toEqual([expect.stringContaining('`f` not defined')]);
    expect(problems('MATCH (e:Entity {id: $id}) RETURN e', {})).toEqual([
      expect.stringContaining('$id is not defined'),
    ]);
    expect(problems('MATCH (e:Entity) RETURN e.nmae', {})).toHaveLength(1);
    expect(problems('MATCH (e:Entity) RETURN tolnteger(e.id)', {})).toHaveLength(1);
    expect(problems('MATCH (c)-[:FACT*1..$hops]-(e) RETURN e', { hops: 'number' }).length).toBeGreaterThan(0);
  });

  it('maps rows, and patches only the fields a patch may set', () => {
    const fact = toFact({ id: 'f', validFrom: 5, validTo: null, expiredAt: 7, episodes: ['e1'] });
    expect(fact).toMatchObject({ id: 'f', validFrom: 5, validTo: null, expiredAt: 7, episodes: ['e1'] });
    expect(toEntity({ id: 'e', embedding: [1, 0.5], aliases: null }).embedding).toEqual([1, 0.5]);
    const patch = { expiredAt: null, confidence: undefined, id: 'other', tenant: 'bob' };
    expect(cypher.pickPatch(patch, [...cypher.FACT_PATCH_KEYS] as (keyof typeof patch)[])).toEqual({
      expiredAt: null,
    });
  });
});
