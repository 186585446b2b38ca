import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelCatalog } from '../src/common/model-catalog.js';
import { loadConfig } from '../src/config/app-config.js';
import { PATHS } from '../src/config/routing.config.js';
import { TextEmbedderService } from '../src/modules/embedding/text-embedder.service.js';
import { parseLabelled, trainRouter } from '../src/modules/routing/router-training.js';

// npm run router:train -- data.jsonl [--out models/router.json]
// Trains the learned router on labelled requests ({"prompt": "...", "path": "fast|medium|deep"} per line) with the
// configured text embedder, reports accuracy on a held-out 20 % (stratified, fixed seed) next to the rules', and
// writes the model the server loads (MNEME_ROUTER_MODEL, default <models dir>/router.json).

const args = process.argv.slice(2);
const dataFile = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const outIndex = args.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1]! : 'models/router.json');
if (!dataFile) {
  console.error('usage: npm run router:train -- data.jsonl [--out models/router.json]');
  process.exit(64);
}

const rows = parseLabelled(readFileSync(dataFile, 'utf8'), dataFile);
const embedder = new TextEmbedderService(loadConfig({ MNEME_LOG_LEVEL: 'error' }), new ModelCatalog());
const { name, dims } = await embedder.identity();
const report = await trainRouter(rows, (texts) => embedder.embed(texts), `${name}:${dims}`);
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(report.file));
await embedder.onApplicationShutdown();

const { heldOut } = report.file;
console.log(`trained on ${report.train}, held out ${heldOut.examples} (embedder ${report.file.embedder})`);
console.log(
  `held-out accuracy: learned ${(100 * heldOut.accuracy).toFixed(1)} %, rules ${(100 * heldOut.rulesAccuracy).toFixed(1)} %`,
);
console.log('confusion (rows: label; columns: predicted fast / medium / deep):');
for (const p of PATHS) {
  console.log(`  ${p.padEnd(7)} ${PATHS.map((q) => String(report.confusion[p][q]).padStart(5)).join(' ')}`);
}
console.log(`wrote ${out}`);
