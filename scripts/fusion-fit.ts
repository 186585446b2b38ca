import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/app-config.js';
import { fitToFiles } from '../src/modules/fusion/fit-to-files.js';

// npm run fusion:fit -- pairs.txt [--out <models dir>/fusion]
// One text per line. Embeds every text with the target (the text embedder episodic memory uses) and with the CLIP
// and CLAP text towers, fits a linear projection from each tower's space into the target's, and writes
// <out>/clip.projection.json and <out>/clap.projection.json with their held-out fit quality.

const args = process.argv.slice(2);
const textsFile = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--out');
const outIndex = args.indexOf('--out');
if (!textsFile) {
  console.error('usage: npm run fusion:fit -- texts.txt [--out <models dir>/fusion]');
  process.exit(64);
}

// The models the server would use: the environment's MNEME_* settings (perception models load lazily here).
const config = loadConfig({ ...process.env, MNEME_LOG_LEVEL: 'error', MNEME_PERCEPTION_PRELOAD: 'false' });
const written = await fitToFiles(
  config,
  readFileSync(textsFile, 'utf8').split('\n'),
  outIndex >= 0 ? path.resolve(args[outIndex + 1]!) : path.join(config.llm.modelsDir, 'fusion'),
);
for (const { file, fit } of written) {
  const q = fit.quality;
  console.log(
    `${fit.source} → ${fit.target}: held-out cosine ${q.heldOutCosine.toFixed(3)} ` +
      `(shuffled ${q.shuffledCosine.toFixed(3)}; ${q.pairs} texts, ${q.heldOut} held out) → ${file}`,
  );
}
