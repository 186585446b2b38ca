import path from 'node:path';
import { loadConfig } from '../../src/config/app-config.js';
import type { GraphStore } from '../../src/modules/memory/semantic/graph-store.js';
import { KuzuGraphStore } from '../../src/modules/memory/semantic/kuzu-graph.store.js';
import { Neo4jGraphStore } from '../../src/modules/memory/semantic/neo4j-graph.store.js';

// Every semantic backend that is reachable, for contract suites: kuzu always; Neo4j joins when MNEME_NEO4J_URI
// is set (see docs/development.md#semantic-memory-on-neo4j). A kuzu store per test is a fresh directory; Neo4j
// is one database, so a suite clears its test tenants when it opens a new store.
const neo4j = loadConfig(process.env).memory.semantic.neo4j;

export const graphBackends: [string, (dir: string) => GraphStore][] = [
  ['kuzu', (dir) => new KuzuGraphStore(path.join(dir, 'graph.kuzu'))],
  ...(neo4j ? [['neo4j', () => new Neo4jGraphStore(neo4j)] as [string, () => GraphStore]] : []),
];
