// A child process that runs the consolidation worker over a data directory and reports each consolidated
// episode on stdout, until its parent kills it with SIGKILL. Usage: node consolidation-worker.mjs <compiled src
// dir> <data dir> <gguf>
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

const [srcDir, dataDir, model] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(srcDir, file)).href);
const { loadConfig } = await load('config/app-config.js');
const { ModelCatalog } = await load('common/model-catalog.js');
const { TextEmbedderService } = await load('modules/embedding/text-embedder.service.js');
const { EpisodicMemoryService } = await load('modules/memory/episodic/episodic-memory.service.js');
const { KuzuGraphStore } = await load('modules/memory/semantic/kuzu-graph.store.js');
const { SemanticMemoryService } = await load('modules/memory/semantic/semantic-memory.service.js');
const { MemoryEventBus } = await load('modules/memory/memory-events.js');
const { ConsolidationService } = await load('modules/memory/consolidation/consolidation.service.js');
const { SessionSummarizer } = await load('modules/memory/consolidation/session-summarizer.service.js');
const { WorkingMemoryService } = await load('modules/memory/working/working-memory.service.js');
const { InProcessWorkingMemoryStore } = await load(
  'modules/memory/working/in-process-working-memory.store.js',
);
const { LlamaCppEngine } = await load('engines/llm/llama-cpp.engine.js');

const config = loadConfig({
  MNEME_DATA_DIR: dataDir,
  MNEME_LLM_MODEL: model,
  MNEME_LLM_CONTEXT_SIZE: '2048',
  MNEME_LLM_THREADS: '2',
  MNEME_CONSOLIDATION_INTERVAL_MS: '0',
  MNEME_LOG_LEVEL: 'error',
});
const engine = new LlamaCppEngine(config.llm);
const embedder = new TextEmbedderService(config, new ModelCatalog());
const events = new MemoryEventBus();
const episodic = new EpisodicMemoryService(config, embedder);
const semantic = new SemanticMemoryService(
  new KuzuGraphStore(config.memory.semantic.dir),
  embedder,
  config,
  events,
);
const working = new WorkingMemoryService(new InProcessWorkingMemoryStore(config.memory.working), config);
const summarizer = new SessionSummarizer(working, episodic, engine, config, events);
const worker = new ConsolidationService(episodic, semantic, engine, config, events, summarizer);
await engine.load();
await embedder.onModuleInit();
await episodic.onModuleInit();
await semantic.onModuleInit();

void (async () => {
  for await (const event of events.subscribe('alice')) process.stdout.write(`done ${event.episodeId}\n`);
})();
for (;;) if ((await worker.runOnce()) === 0) await sleep(50);
