import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import type { LlmEngine } from '../../src/engines/llm/llm-engine.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { ConsolidationService } from '../../src/modules/memory/consolidation/consolidation.service.js';
import { SessionSummarizer } from '../../src/modules/memory/consolidation/session-summarizer.service.js';
import { EpisodicMemoryService } from '../../src/modules/memory/episodic/episodic-memory.service.js';
import { MemoryEventBus } from '../../src/modules/memory/memory-events.js';
import { MemoryService } from '../../src/modules/memory/memory.service.js';
import type { GraphStore } from '../../src/modules/memory/semantic/graph-store.js';
import { KuzuGraphStore } from '../../src/modules/memory/semantic/kuzu-graph.store.js';
import { SemanticMemoryService } from '../../src/modules/memory/semantic/semantic-memory.service.js';
import { FactRevisions } from '../../src/modules/memory/semantic/fact-revisions.service.js';
import { AuditTrail } from '../../src/modules/memory/audit-trail.service.js';
import { Forgetting } from '../../src/modules/memory/forgetting.service.js';
import { InProcessWorkingMemoryStore } from '../../src/modules/memory/working/in-process-working-memory.store.js';
import { WindowRestorer } from '../../src/modules/memory/working/window-restorer.js';
import { WorkingMemoryService } from '../../src/modules/memory/working/working-memory.service.js';

export const ctxOf = (tenant: string): CallContext => ({
  tenant,
  signal: new AbortController().signal,
  trace: ROOT_CONTEXT,
});

// test-app's FIXTURE_LLM, spelled again: importing it would load the whole app into every memory test.
const FIXTURE_LLM = path.resolve('test/fixtures/models/tiny-llama/tiny-llama.gguf');

const dirs: string[] = [];
const unclosed = new Set<MemoryStack>();
let shared: TextEmbedderService | undefined;

/** A fresh directory, `mneme-<name>-…` in the OS temp dir, removed when the test file ends. */
export function tempDir(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `mneme-${name}-`));
  dirs.push(dir);
  return dir;
}

/** One embedder on the default model for a file's stacks to borrow (else each loads its own); closed after them. */
export function sharedEmbedder(): TextEmbedderService {
  return (shared ??= new TextEmbedderService(loadConfig({ MNEME_LOG_LEVEL: 'error' }), new ModelCatalog()));
}

/** Closes every stack still open, newest first (so a stack closes before the one it borrowed from). */
export async function closeStacks(): Promise<void> {
  for (const stack of [...unclosed].reverse()) await stack.close();
}

// jest runs a file's afterAll hooks in the order they were declared, and this module's comes first: so it
// closes what the test left open, then the shared embedder, and only then removes the directories.
afterAll(async () => {
  await closeStacks();
  await shared?.onApplicationShutdown();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export interface MemoryStackOptions {
  /** A data directory to reopen (after a restart, or one a child process wrote); a fresh one otherwise. */
  dataDir?: string;
  /** Variables over the defaults (the data dir, error-level logs, the fixture GGUF on two threads). */
  env?: Record<string, string>;
  /** Borrowed: whoever made them closes them. Without them the stack makes (and closes) its own. */
  embedder?: TextEmbedderService;
  engine?: LlmEngine;
  /** A graph store semantic memory takes over (and closes); kuzu in the data dir otherwise. */
  graph?: GraphStore;
}

export interface MemoryStack {
  config: AppConfig;
  embedder: TextEmbedderService;
  /** The init hooks Nest runs (embedding before memory), then the engine load createApp does. */
  open: () => Promise<this>;
  /** The shutdown hooks, memory before the models it uses; closing twice is closing once. */
  close: () => Promise<void>;
}
export interface EpisodicStack extends MemoryStack {
  episodic: EpisodicMemoryService;
}
export interface SemanticStack extends MemoryStack {
  graph: GraphStore;
  semantic: SemanticMemoryService;
  revisions: FactRevisions;
  audit: AuditTrail;
  events: MemoryEventBus;
}
export interface FullStack extends EpisodicStack, SemanticStack {
  engine: LlmEngine;
  working: WorkingMemoryService;
  summarizer: SessionSummarizer;
  consolidation: ConsolidationService;
  memory: MemoryService;
  forgetting: Forgetting;
}

type AnyStack = MemoryStack & Partial<Omit<FullStack, keyof MemoryStack>>;

/**
 * The memory module wired as Nest wires it, on real stores in a data directory and the fixture embedder:
 * episodic or semantic memory alone, or (by default) both with working memory, the summarizer, the
 * consolidation worker and the MemoryService facade over an LLM engine (llama.cpp on config.llm, the fixture
 * GGUF by default, unless one is lent). No onApplicationBootstrap: the tests run consolidation and decay
 * themselves, so no timers (MNEME_CONSOLIDATION_INTERVAL_MS does not matter). Built now, opened by open();
 * whatever a test leaves open is closed when its file ends.
 */
export function memoryStack(options: MemoryStackOptions & { only: 'episodic' }): EpisodicStack;
export function memoryStack(options: MemoryStackOptions & { only: 'semantic' }): SemanticStack;
export function memoryStack(options?: MemoryStackOptions): FullStack;
export function memoryStack(options: MemoryStackOptions & { only?: 'episodic' | 'semantic' } = {}): AnyStack {
  const { only } = options;
  const config = loadConfig({
    MNEME_DATA_DIR: options.dataDir ?? tempDir('memory'),
    MNEME_LOG_LEVEL: 'error',
    MNEME_LLM_MODEL: FIXTURE_LLM,
    MNEME_LLM_CONTEXT_SIZE: '2048',
    MNEME_LLM_THREADS: '2',
    ...options.env,
  });
  const ownsEmbedder = !options.embedder;
  const embedder = options.embedder ?? new TextEmbedderService(config, new ModelCatalog());
  const events = new MemoryEventBus();
  const episodic = only === 'semantic' ? undefined : new EpisodicMemoryService(config, embedder);
  const graph =
    only === 'episodic' ? undefined : (options.graph ?? new KuzuGraphStore(config.memory.semantic.dir));
  const semantic = graph && new SemanticMemoryService(graph, embedder, config, events);
  const audit = graph && new AuditTrail(graph);
  const revisions = graph && audit && new FactRevisions(graph, embedder, config, events, audit);
  const ownEngine = only || options.engine ? undefined : new LlamaCppEngine(config.llm);
  const engine = options.engine ?? ownEngine;
  const upper: Partial<ReturnType<typeof upperTiers>> =
    episodic && semantic && revisions && audit && engine
      ? upperTiers(config, episodic, { semantic, revisions, audit }, engine, events)
      : {};
  let closing: Promise<void> | undefined;
  const stack: AnyStack = {
    config,
    embedder,
    events,
    episodic,
    graph,
    semantic,
    revisions,
    audit,
    ...upper,
    open: async () => {
      if (ownsEmbedder) await embedder.onModuleInit();
      await episodic?.onModuleInit();
      await semantic?.onModuleInit();
      await ownEngine?.load();
      return stack;
    },
    close: () =>
      (closing ??= (async () => {
        unclosed.delete(stack);
        await upper.consolidation?.onApplicationShutdown();
        await semantic?.onApplicationShutdown();
        await episodic?.onApplicationShutdown();
        await upper.working?.onApplicationShutdown();
        if (ownsEmbedder) await embedder.onApplicationShutdown();
        await ownEngine?.onApplicationShutdown();
      })()),
  };
  // Tracked from construction on: the episodic service runs a timer before it is opened.
  unclosed.add(stack);
  return stack;
}

function upperTiers(
  config: AppConfig,
  episodic: EpisodicMemoryService,
  graph: { semantic: SemanticMemoryService; revisions: FactRevisions; audit: AuditTrail },
  engine: LlmEngine,
  events: MemoryEventBus,
) {
  const { semantic, revisions, audit } = graph;
  const working = new WorkingMemoryService(new InProcessWorkingMemoryStore(config.memory.working), config);
  const summarizer = new SessionSummarizer(working, episodic, engine, config, events);
  return {
    engine,
    working,
    summarizer,
    consolidation: new ConsolidationService(episodic, semantic, engine, config, events, summarizer),
    memory: new MemoryService(
      working,
      episodic,
      semantic,
      engine,
      config,
      summarizer,
      new WindowRestorer(episodic, working, engine, config),
    ),
    forgetting: new Forgetting(working, episodic, semantic, revisions, engine, audit),
  };
}
