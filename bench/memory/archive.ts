import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { MemoryExport } from '../../src/modules/memory/archive/memory-export.service.js';
import { MemoryImport } from '../../src/modules/memory/archive/memory-import.service.js';
import { AuditTrail } from '../../src/modules/memory/audit-trail.service.js';
import { EpisodicMemoryService } from '../../src/modules/memory/episodic/episodic-memory.service.js';
import { MemoryEventBus } from '../../src/modules/memory/memory-events.js';
import { KuzuGraphStore } from '../../src/modules/memory/semantic/kuzu-graph.store.js';
import { SemanticMemoryService } from '../../src/modules/memory/semantic/semantic-memory.service.js';
import { pageOf } from '../../src/modules/memory/sessions.js';
import { synthesizeMiniLmL6 } from '../encoders/synth-text-encoders.js';
import { percentile } from '../llm/stats.js';
import { syntheticGraph } from '../semantic/synth-graph.js';
import { SyntheticCorpus } from './synth-episodes.js';

// bench:archive — a tenant's memory out and back in through the services /v1/memory/export and import use (the
// HTTP layer only streams their lines): export rate with and without vectors, import rate reusing the vectors and
// re-embedding every text with a random-weight all-MiniLM-L6-v2-sized encoder (384 dims, the real model's cost),
// and the sessions list, which scans the tenant's episodes on every call.

const EPISODES = Number(process.env.BENCH_EPISODES ?? 20_000);
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 5_000);
const REEMBED_EPISODES = Number(process.env.BENCH_REEMBED_EPISODES ?? 2_000);
const started = performance.now();
const log = (line: string) =>
  console.log(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);

const cache = path.join(packageRoot(), 'bench/.cache');
const minilm = synthesizeMiniLmL6(cache, path.join(packageRoot(), 'test/fixtures/models/tiny-bert'));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-archive-'));
const config = loadConfig({
  MNEME_DATA_DIR: dataDir,
  MNEME_TEXT_EMBEDDING_MODEL: minilm,
  MNEME_LOG_LEVEL: 'error',
});
const ctxOf = (tenant: string): CallContext => ({
  tenant,
  signal: new AbortController().signal,
  trace: ROOT_CONTEXT,
});

const embedder = new TextEmbedderService(config, new ModelCatalog());
const episodic = new EpisodicMemoryService(config, embedder);
const graph = new KuzuGraphStore(config.memory.semantic.dir);
const exporter = new MemoryExport(episodic, graph, embedder);
const semantic = new SemanticMemoryService(graph, embedder, config, new MemoryEventBus());
const importer = new MemoryImport(episodic, graph, embedder, new AuditTrail(graph), semantic);

interface Row {
  what: string;
  seconds: number;
  rate: string;
  note?: string;
}
const rows: Row[] = [];

async function writeArchive(ctx: CallContext, vectors: boolean, file: string): Promise<number> {
  const out = createWriteStream(file);
  let lines = 0;
  for await (const line of exporter.lines({ vectors }, ctx)) {
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, 'drain');
    lines++;
  }
  out.end();
  await once(out, 'finish');
  return lines;
}

async function* readLines(file: string): AsyncGenerator<string> {
  for (const line of readFileSync(file, 'utf8').split('\n')) yield await Promise.resolve(line);
}

async function main(): Promise<void> {
  await embedder.onModuleInit();
  await episodic.onModuleInit();
  await graph.init();
  const source = ctxOf('t0');
  // The synthetic corpus spreads rows over ten tenants; every row goes to one here.
  const corpus = new SyntheticCorpus();
  for (const batch of corpus.batches(EPISODES, 5000)) await episodic.restore(batch, source);
  const { entities, facts } = syntheticGraph('t0', ENTITIES);
  await graph.bulkLoad('t0', entities, facts);
  log(`seeded ${EPISODES} episodes, ${entities.length} entities, ${facts.length} facts`);

  // A list after a forget by id rescans the tenant's episodes; later lists read the index writes keep.
  const listTimes: number[] = [];
  const scanTimes: number[] = [];
  for (let i = 0; i < 5; i++) {
    await episodic.forget({ ids: ['none-such'] }, source);
    const t = performance.now();
    pageOf(await episodic.sessions(source), 20);
    scanTimes.push(performance.now() - t);
  }
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    pageOf(await episodic.sessions(source), 20);
    listTimes.push(performance.now() - t);
  }
  const sessions = (await episodic.sessions(source)).length;

  for (const vectors of [true, false]) {
    const file = path.join(dataDir, `archive-${vectors}.jsonl`);
    const t = performance.now();
    const lines = await writeArchive(source, vectors, file);
    const s = (performance.now() - t) / 1000;
    const mb = statSync(file).size / 2 ** 20;
    rows.push({
      what: `export, ${vectors ? 'with' : 'without'} vectors`,
      seconds: s,
      rate: `${Math.round(lines / s)} lines/s, ${(mb / s).toFixed(1)} MB/s`,
      note: `${mb.toFixed(1)} MB`,
    });
    log(`exported ${lines} lines (${mb.toFixed(1)} MB) in ${s.toFixed(1)} s`);
  }
  // BENCH_REEMBED=0 leaves out the import that re-embeds everything (minutes with a MiniLM-sized encoder) and
  // the re-embed rows.
  for (const vectors of process.env.BENCH_REEMBED === '0' ? [true] : [true, false]) {
    const target = ctxOf(vectors ? 'copy-vectors' : 'copy-text');
    const t = performance.now();
    const counts = await importer.restore(readLines(path.join(dataDir, `archive-${vectors}.jsonl`)), target);
    const s = (performance.now() - t) / 1000;
    rows.push({
      what: `import, ${vectors ? 'vectors reused' : 're-embedding every text and name'}`,
      seconds: s,
      rate: `${Math.round(counts.episodes / s)} episodes/s`,
      note: `${counts.episodes} episodes, ${counts.entities} entities, ${counts.facts} facts`,
    });
    log(`imported ${JSON.stringify(counts)} in ${s.toFixed(1)} s`);
  }

  if (process.env.BENCH_REEMBED !== '0') rows.push(...(await reembedRows()));

  console.log(
    `\nbench:archive — ${EPISODES} episodes (384 dims), ${ENTITIES} entities, ${facts.length} facts`,
  );
  console.log('| step | time | rate | size |\n| --- | ---: | ---: | --- |');
  for (const r of rows)
    console.log(`| ${r.what} | ${r.seconds.toFixed(1)} s | ${r.rate} | ${r.note ?? ''} |`);
  const ms = (values: number[]) =>
    `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms`;
  console.log(`| sessions list, first page of ${sessions}, from the index | ${ms(listTimes)} | | 50 calls |`);
  console.log(`| sessions list, rescanning the tenant's episodes | ${ms(scanTimes)} | | 5 calls |`);
}

/**
 * `mneme reembed`'s work, side by side with the raw embedder: REEMBED_EPISODES episodes written with the bundled
 * 32-dim model, then moved into the MiniLM-sized one's space in steps of MNEME_REEMBED_BATCH; the raw row
 * embeds the same texts in batches of that size, with nothing stored.
 */
async function reembedRows(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-reembed-'));
  const texts = [...new SyntheticCorpus().batches(REEMBED_EPISODES, REEMBED_EPISODES)][0]!.map((r) => r.text);
  try {
    const before = loadConfig({ MNEME_DATA_DIR: dir, MNEME_LOG_LEVEL: 'error' });
    const bundled = new TextEmbedderService(before, new ModelCatalog());
    const old = new EpisodicMemoryService(before, bundled);
    await bundled.onModuleInit();
    await old.onModuleInit();
    for (let i = 0; i < texts.length; i += 1000) {
      const batch = texts.slice(i, i + 1000).map((text) => ({ sessionId: 's', role: 'user', text }));
      await old.remember(batch, ctxOf('t0'));
    }
    await old.onApplicationShutdown();
    await bundled.onApplicationShutdown();

    const after = loadConfig({
      MNEME_DATA_DIR: dir,
      MNEME_TEXT_EMBEDDING_MODEL: minilm,
      MNEME_LOG_LEVEL: 'error',
    });
    const batch = after.memory.episodic.reembedBatch;
    const moved = new EpisodicMemoryService(after, embedder);
    await moved.onModuleInit();
    let t = performance.now();
    await moved.vectorSpace.run(
      batch,
      () => false,
      () => undefined,
    );
    const reembedS = (performance.now() - t) / 1000;
    await moved.onApplicationShutdown();
    t = performance.now();
    for (let i = 0; i < texts.length; i += batch) await embedder.embed(texts.slice(i, i + batch));
    const rawS = (performance.now() - t) / 1000;
    log(
      `re-embedded ${texts.length} episodes in ${reembedS.toFixed(1)} s (raw embedder ${rawS.toFixed(1)} s)`,
    );
    const perS = (s: number) => `${Math.round(texts.length / s)} episodes/s`;
    return [
      {
        what: `re-embed 32 → 384 dims, batches of ${batch} (mneme reembed)`,
        seconds: reembedS,
        rate: perS(reembedS),
        note: `${texts.length} episodes; ${(rawS / reembedS).toFixed(2)}× the raw embedder's rate`,
      },
      { what: `raw embedder, same texts and batches`, seconds: rawS, rate: perS(rawS) },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

try {
  await main();
} finally {
  await episodic.onApplicationShutdown();
  await graph.close();
  await embedder.onApplicationShutdown();
  rmSync(dataDir, { recursive: true, force: true });
}
