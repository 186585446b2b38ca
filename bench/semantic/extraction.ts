import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import { generateToEnd } from '../../src/engines/llm/llm-engine.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { ConsolidationService } from '../../src/modules/memory/consolidation/consolidation.service.js';
import {
  EXTRACTION_SCHEMA,
  extractionMessages,
} from '../../src/modules/memory/consolidation/fact-extraction.js';
import { SessionSummarizer } from '../../src/modules/memory/consolidation/session-summarizer.service.js';
import { CONSOLIDATION } from '../../src/modules/memory/episodic/episode.record.js';
import { EpisodicMemoryService } from '../../src/modules/memory/episodic/episodic-memory.service.js';
import { KuzuGraphStore } from '../../src/modules/memory/semantic/kuzu-graph.store.js';
import { SemanticMemoryService } from '../../src/modules/memory/semantic/semantic-memory.service.js';
import { InProcessWorkingMemoryStore } from '../../src/modules/memory/working/in-process-working-memory.store.js';
import { WorkingMemoryService } from '../../src/modules/memory/working/working-memory.service.js';
import { SHAPE, synthesizeModel } from '../llm/synth-model.js';
import {
  RecordingEngine,
  TappedEventBus,
  report,
  syntheticTurns,
  type Generation,
} from './extraction-support.js';

// bench/semantic/extraction: episodic → semantic consolidation throughput on the real services (LlamaCppEngine,
// LanceDB episodic, Kuzu semantic, ConsolidationService) in a temp dir. N synthetic user turns are queued for
// extraction and the worker runs batch after batch until the queue is empty; the engine and event bus it is handed
// are thin taps that record each generation and each episode marked done. Then a few of the same prompts run
// again without the grammar, capped at the length the grammar run produced, so the grammar's decode overhead shows.
// On the random-weight model the grammar still forces schema-valid JSON; its content is noise.

const started = performance.now();
const TENANT = 'bench';
const count = Number(process.env.BENCH_EXTRACTION_EPISODES ?? 24);
const rawPrompts = Number(process.env.BENCH_EXTRACTION_RAW ?? 4);
const threads = Number(process.env.MNEME_LLM_THREADS ?? os.availableParallelism());
// Room for the extraction prompt (~430 tokens under the synthetic model's byte-level vocabulary) plus the
// service's 1024-token cap.
const contextSize = 2048;
const DAY = 24 * 3600 * 1000;

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const two = (n: number) => n.toFixed(2);
const loadAverage = () => os.loadavg().map(two).join(' ');
const log = (line: string) => console.log(`[${secs(performance.now() - started).padStart(7)}] ${line}`);

const root = packageRoot();
const synthetic = process.env.MNEME_LLM_MODEL === undefined;
const modelPath =
  process.env.MNEME_LLM_MODEL ??
  (await synthesizeModel(
    path.join(root, 'bench/.cache'),
    path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf'),
  ));
console.log(
  `bench/semantic/extraction — ${synthetic ? `random-weight llama ${JSON.stringify(SHAPE)} Q8_0` : 'model'} ` +
    `${modelPath}\n${count} episodes (BENCH_EXTRACTION_EPISODES), ${rawPrompts} grammar-free comparisons ` +
    `(BENCH_EXTRACTION_RAW), ${threads} threads (MNEME_LLM_THREADS), context ${contextSize}, 1 sequence; ` +
    `${os.availableParallelism()} cores, load average ${loadAverage()}`,
);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-extraction-'));
const config = loadConfig({
  MNEME_DATA_DIR: dataDir,
  MNEME_LLM_MODEL: modelPath,
  MNEME_LLM_CONTEXT_SIZE: String(contextSize),
  MNEME_LLM_PARALLEL: '1',
  MNEME_LLM_THREADS: String(threads),
  MNEME_CONSOLIDATION_INTERVAL_MS: '0', // the bench drives the worker itself
  MNEME_LOG_LEVEL: 'error',
});
Logger.overrideLogger(['error', 'warn']); // the worker's failure warnings stay visible
const ctx: CallContext = { tenant: TENANT, signal: new AbortController().signal, trace: ROOT_CONTEXT };

const engine = new RecordingEngine(new LlamaCppEngine(config.llm));
const embedder = new TextEmbedderService(config, new ModelCatalog());
const episodic = new EpisodicMemoryService(config, embedder);
const graph = new KuzuGraphStore(config.memory.semantic.dir);
// Per-episode latency: from the worker asking the engine to the episode being marked done (learning included).
const latencies: number[] = [];
const factsPerEpisode: number[] = [];
const bus = new TappedEventBus((facts) => {
  latencies.push(performance.now() - engine.lastStart);
  factsPerEpisode.push(facts);
});
const semantic = new SemanticMemoryService(graph, embedder, config, bus);
// No session is ever noted to the summarizer, so every run of the worker is extraction only.
const working = new WorkingMemoryService(new InProcessWorkingMemoryStore(config.memory.working), config);
const summarizer = new SessionSummarizer(working, episodic, engine, config, bus);
const worker = new ConsolidationService(episodic, semantic, engine, config, bus, summarizer);

try {
  let start = performance.now();
  await engine.load();
  await episodic.onModuleInit();
  await semantic.onModuleInit();
  log(`engine and stores ready in ${secs(performance.now() - start)}`);

  // Warm-up: compiles the grammar (cached per schema after) and faults the weights in; 16 tokens bound its cost.
  start = performance.now();
  const messages = extractionMessages('Ada lives in London.');
  await generateToEnd(
    engine,
    { messages, jsonSchema: EXTRACTION_SCHEMA, maxTokens: 16, temperature: 0 },
    ctx,
  );
  log(`warm-up (grammar compile + 16 tokens) ${secs(performance.now() - start)}`);
  engine.generations.length = 0;

  const turns = syntheticTurns(count);
  const now = Date.now();
  start = performance.now();
  const queued = await episodic.remember(
    turns.map((text, i) => ({
      sessionId: `s${Math.floor(i / 6)}`,
      role: 'user',
      text,
      createdAt: now - (count - i) * DAY,
      extract: true,
    })),
    ctx,
  );
  log(`${queued.length} episodes remembered (embedded, queued) in ${secs(performance.now() - start)}`);
  for (const text of turns.slice(0, 3)) console.log(`    e.g. "${text}"`);

  // The worker's loop: batch after batch until nothing is pending (an episode failing thrice is marked FAILED).
  start = performance.now();
  let cpu = process.cpuUsage();
  for (let batch = 1; (await episodic.pendingCount(ctx)) > 0; batch++) {
    const done = await worker.runOnce();
    log(`batch ${batch}: ${done} consolidated, ${await episodic.pendingCount(ctx)} pending`);
  }
  const loopMs = performance.now() - start;
  log(`queue empty; ${contention(cpu, loopMs)}`);

  const grammarRuns = [...engine.generations];
  start = performance.now();
  cpu = process.cpuUsage();
  const pairs = await grammarFree(spread(grammarRuns, rawPrompts));
  log(`grammar-free comparison done; ${contention(cpu, performance.now() - start)}`);

  const status = worker.status();
  const counts = await graph.counts(TENANT);
  const rows = await episodic.get(
    queued.map((e) => e.id),
    ctx,
  );
  report({
    loopMs,
    grammarRuns,
    pairs,
    latencies,
    factsPerEpisode,
    consolidated: status.processed,
    failures: status.failures,
    failed: rows.filter((e) => e.consolidation === CONSOLIDATION.FAILED).length,
    facts: counts.facts,
    entities: counts.entities,
  });
} finally {
  await worker.onApplicationShutdown();
  await semantic.onApplicationShutdown();
  await episodic.onApplicationShutdown();
  await embedder.onApplicationShutdown();
  await engine.unload();
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(`\ntotal ${secs(performance.now() - started)}`);

/**
 * Other processes on the cores skew llama.cpp badly (its threads wait on each other). Uncontended its threads are
 * busy all along, so this process's CPU time well under ~90% of wall × threads means the figures are shared ones.
 */
function contention(since: NodeJS.CpuUsage, wallMs: number): string {
  const used = process.cpuUsage(since);
  const share = (used.user + used.system) / 1000 / (wallMs * threads);
  return `this process got ${(share * 100).toFixed(0)}% of ${threads} threads' wall time, load ${loadAverage()}`;
}

/** `k` of the runs at evenly spaced ranks of their length, so the comparison covers short and long answers. */
function spread(runs: Generation[], k: number): Generation[] {
  const sorted = [...runs].sort((a, b) => a.result.usage.completionTokens - b.result.usage.completionTokens);
  const n = Math.min(k, sorted.length);
  return Array.from({ length: n }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / n)]!);
}

/**
 * The same prompts again, under the grammar as the worker asks and without it (capped at the length the grammar
 * run produced), back to back with the order alternating, so machine drift hits both sides alike.
 */
async function grammarFree(runs: Generation[]): Promise<{ grammar: Generation; raw: Generation }[]> {
  const pairs = [];
  for (const [i, run] of runs.entries()) {
    const messages = extractionMessages(run.text);
    const constrained = { messages, jsonSchema: EXTRACTION_SCHEMA, maxTokens: run.maxTokens, temperature: 0 };
    const free = { messages, maxTokens: Math.max(2, run.result.usage.completionTokens), temperature: 0 };
    const order = i % 2 === 0 ? [constrained, free] : [free, constrained];
    for (const request of order) await generateToEnd(engine, request, ctx);
    const recent = engine.generations.slice(-2);
    pairs.push({ grammar: recent.find((g) => g.grammar)!, raw: recent.find((g) => !g.grammar)! });
  }
  return pairs;
}
