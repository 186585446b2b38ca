// A child process that remembers episodes as fast as it can and reports each acknowledged batch on stdout,
// until its parent kills it with SIGKILL. Usage: node episodic-writer.mjs <compiled src dir> <data dir>
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [srcDir, dataDir] = process.argv.slice(2);
const load = (file) => import(pathToFileURL(path.join(srcDir, file)).href);
const { loadConfig } = await load('config/app-config.js');
const { ModelCatalog } = await load('common/model-catalog.js');
const { TextEmbedderService } = await load('modules/embedding/text-embedder.service.js');
const { EpisodicMemoryService } = await load('modules/memory/episodic/episodic-memory.service.js');
const { ROOT_CONTEXT } = await import('@opentelemetry/api');

const config = loadConfig({ MNEME_DATA_DIR: dataDir, MNEME_LOG_LEVEL: 'error' });
const embedder = new TextEmbedderService(config, new ModelCatalog());
const episodic = new EpisodicMemoryService(config, embedder);
await embedder.onModuleInit();
await episodic.onModuleInit();
const ctx = { tenant: 'alice', signal: new AbortController().signal, trace: ROOT_CONTEXT };

let n = 0;
process.stdout.write('ready\n');
// Several writers at once, so batches are grouped and a kill can land mid-commit.
await Promise.all(
  Array.from({ length: 4 }, async () => {
    for (;;) {
      const ids = Array.from({ length: 3 }, () => `e${n++}`);
      await episodic.remember(
        ids.map((id) => ({ id, sessionId: 's', role: 'user', text: `episode ${id}` })),
        ctx,
      );
      process.stdout.write(`ack ${ids.join(' ')}\n`);
    }
  }),
);
