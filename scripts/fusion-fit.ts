import 'reflect-metadata';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelCatalog } from '../src/common/model-catalog.js';
import { loadConfig } from '../src/config/app-config.js';
import { AudioEmbedder } from '../src/modules/audio/audio-embedder.service.js';
import { fitProjections } from '../src/modules/fusion/fit-projections.js';
import { serializeFit } from '../src/modules/fusion/linear-projection.js';
import { TextEmbedderService } from '../src/modules/memory/episodic/text-embedder.service.js';
import { ClipEncoder } from '../src/modules/vision/clip-encoder.service.js';

// npm run fusion:fit -- pairs.txt [--out models/fusion]
// One text per line. Embeds every text with the target (the text embedder episodic memory uses) and with the CLIP
// and CLAP text towers, fits a linear projection from each tower's space into the target's, and writes
// <out>/clip.projection.json and <out>/clap.projection.json with their held-out fit quality.

const args = process.argv.slice(2);
const textsFile = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const outIndex = args.indexOf('--out');
const out = path.resolve(outIndex >= 0 ? args[outIndex + 1]! : 'models/fusion');
if (!textsFile) {
  console.error('usage: npm run fusion:fit -- texts.txt [--out models/fusion]');
  process.exit(64);
}

const config = loadConfig({ MNEME_LOG_LEVEL: 'error', MNEME_PERCEPTION_PRELOAD: 'false' });
const catalog = new ModelCatalog();
const target = new TextEmbedderService(config, catalog);
const clip = new ClipEncoder(config, catalog);
const clap = new AudioEmbedder(config, catalog);
const fits = await fitProjections(
  readFileSync(textsFile, 'utf8').split('\n'),
  { name: target.model.name, embed: (t) => target.embed(t) },
  [
    { name: clip.model.name, embed: (t) => clip.embedLabels(t) },
    { name: clap.model.name, embed: (t) => clap.embedTexts(t) },
  ],
);
mkdirSync(out, { recursive: true });
for (const [file, fit] of [
  ['clip.projection.json', fits[0]!],
  ['clap.projection.json', fits[1]!],
] as const) {
  writeFileSync(path.join(out, file), serializeFit(fit));
  const q = fit.quality;
  console.log(
    `${fit.source} → ${fit.target}: held-out cosine ${q.heldOutCosine.toFixed(3)} ` +
      `(shuffled ${q.shuffledCosine.toFixed(3)}; ${q.pairs} texts, ${q.heldOut} held out) → ${path.join(out, file)}`,
  );
}
await Promise.all([
  target.onApplicationShutdown(),
  clip.onApplicationShutdown(),
  clap.onApplicationShutdown(),
]);
