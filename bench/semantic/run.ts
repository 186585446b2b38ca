import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { loadConfig } from '../../src/config/app-config.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { MemoryEventBus } from '../../src/modules/memory/memory-events.js';
import { KuzuGraphStore } from '../../src/modules/memory/semantic/kuzu-graph.store.js';
import { SemanticMemoryService } from '../../src/modules/memory/semantic/semantic-memory.service.js';
import { percentile } from '../llm/stats.js';
import { rng } from '../memory/synth-episodes.js';
import { mentionText, syntheticGraph } from './synth-graph.js';

// bench/semantic: the semantic tier on the real KuzuGraphStore, per synthetic tenant graph size (entities, three
// facts each) in a fresh temp dir — bulk ingest through bulkLoad (entities with their name index, then facts),
// then p50/p95/p99 of name lookup, 2-hop neighborhood, facts-about and the ask path's mention detection
// (SemanticMemoryService.mentioned: one Name-index lookup for every 1–4 word span, then facts of what it found).

const started = performance.now();
const TENANT = 'bench';
const sizes = (process.env.BENCH_SEMANTIC_SIZES ?? '10000,100000').split(',').map(Number);
const config = loadConfig({ MNEME_LOG_LEVEL: 'error' });
Logger.overrideLogger(['error', 'warn']); // not "Semantic memory on kuzu" once per size
const ctx: CallContext = { tenant: TENANT, signal: new AbortController().signal, trace: ROOT_CONTEXT };

const label = (n: number) => (n % 1e6 === 0 ? `${n / 1e6}M` : n % 1e3 === 0 ? `${n / 1e3}k` : String(n));
const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`[${secs(performance.now() - started).padStart(7)}] ${line}`);
const rate = (rows: number, ms: number) => `${Math.round((rows / ms) * 1000).toLocaleString('en')}/s`;

/** Runs fn over the items (first three again as warm-up) and times each call. */
async function time<T>(items: T[], fn: (item: T) => Promise<unknown>): Promise<number[]> {
  for (const item of items.slice(0, 3)) await fn(item);
  const samples: number[] = [];
  for (const item of items) {
    const start = performance.now();
    await fn(item);
    samples.push(performance.now() - start);
  }
  return samples;
}

function bytesIn(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, entry) => {
    const file = path.join(dir, entry.name);
    return sum + (entry.isDirectory() ? bytesIn(file) : statSync(file).size);
  }, 0);
}

interface Row {
  name: string;
  samples?: number[];
  note?: string;
  target?: string;
}
const rows: Row[] = [];

async function bench(size: number, embedder: TextEmbedderService): Promise<void> {
  const name = `${label(size)}/${label(size * 3)}`.padEnd(10);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-graph-'));
  const graph = syntheticGraph(TENANT, size);
  const store = new KuzuGraphStore(path.join(dir, 'graph.kuzu'));
  const memory = new SemanticMemoryService(store, embedder, config, new MemoryEventBus());
  await memory.onModuleInit();
  try {
    // Two loads, so each rate is its own: the second also checks every fact endpoint against the stored entities.
    let start = performance.now();
    await store.bulkLoad(TENANT, graph.entities, []);
    const entityMs = performance.now() - start;
    start = performance.now();
    await store.bulkLoad(TENANT, [], graph.facts);
    const factMs = performance.now() - start;
    const counts = await store.counts(TENANT);
    if (counts.entities !== size || counts.facts !== graph.facts.length) {
      throw new Error(
        `loaded ${JSON.stringify(counts)}, expected ${size} entities, ${graph.facts.length} facts`,
      );
    }
    const rss = `rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB`;
    log(`${name} ingest: entities ${secs(entityMs)}, facts ${secs(factMs)}; ${rss}`);
    rows.push({
      name: `${name} ingest entities + name index`,
      note: `${secs(entityMs)}, ${rate(size, entityMs)} (${size} entities)`,
    });
    rows.push({
      name: `${name} ingest facts`,
      note: `${secs(factMs)}, ${rate(graph.facts.length, factMs)} (${graph.facts.length} facts)`,
    });

    const next = rng(size);
    const some = (n: number) =>
      Array.from({ length: n }, () => graph.entities[Math.floor(next() * graph.entities.length)]!);
    const lookups = await time(some(500), async (e) => {
      if (!(await store.entitiesNamed(TENANT, e.norm)).some((found) => found.id === e.id)) {
        throw new Error(`lookup of "${e.norm}" missed`);
      }
    });
    rows.push({ name: `${name} entitiesNamed (500)`, samples: lookups, target: '< 200, aim < 20' });
    let reached = 0;
    const hops = await time(some(200), async (e) => {
      reached += (await store.neighborhood(TENANT, e.id, 2, 50)).length;
    });
    rows.push({
      name: `${name} neighborhood 2 hops, 50 (200)`,
      samples: hops,
      note: `${(reached / (hops.length + 3)).toFixed(1)} entities on average`,
    });
    const now = Date.now();
    let found = 0;
    const about = await time(some(200), async (e) => {
      found += (await store.factsAbout(TENANT, e.id, { validAt: now, knownAt: now }, 20)).length;
    });
    rows.push({
      name: `${name} factsAbout now, 20 (200)`,
      samples: about,
      note: `${(found / (about.length + 3)).toFixed(1)} facts on average`,
    });
    const texts = Array.from({ length: 200 }, () => mentionText(graph, next));
    let cited = 0;
    const mentions = await time(texts, async (text) => {
      cited += (await memory.mentioned(text, 0, 20, ctx)).length;
    });
    rows.push({
      name: `${name} mentioned, 30 words, 2 names (200)`,
      samples: mentions,
      note: `${(cited / (mentions.length + 3)).toFixed(1)} facts on average`,
    });
    log(`${name} queries done`);
  } finally {
    await memory.onApplicationShutdown();
  }
  rows.push({ name: `${name} data dir on disk`, note: `${(bytesIn(dir) / 2 ** 20).toFixed(1)} MB` });
  rmSync(dir, { recursive: true, force: true });
}

console.log(
  `bench/semantic — kuzu, sizes ${sizes.map((n) => `${label(n)} entities / ${label(n * 3)} facts`).join(', ')}; ` +
    `queries after 3 warm-ups; ${os.availableParallelism()} cores`,
);
const embedder = new TextEmbedderService(config, new ModelCatalog());
try {
  for (const size of sizes) await bench(size, embedder);
} finally {
  await embedder.onApplicationShutdown();
}

const fmt = (samples: number[] | undefined, q: number) =>
  (samples ? percentile(samples, q).toFixed(2) : '–').padStart(9);
console.log(`\n${'path'.padEnd(48)}    p50 ms    p95 ms    p99 ms  target ms        notes`);
for (const row of rows) {
  console.log(
    `${row.name.padEnd(48)} ${fmt(row.samples, 50)} ${fmt(row.samples, 95)} ${fmt(row.samples, 99)}  ` +
      `${(row.target ?? '').padEnd(15)}  ${row.note ?? ''}`,
  );
}
console.log(`\ntotal ${secs(performance.now() - started)}`);
