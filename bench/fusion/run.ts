import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { createApp } from '../../src/app.factory.js';
import { packageRoot } from '../../src/common/package-root.js';
import { normalize } from '../../src/common/vector.js';
import { loadConfig } from '../../src/config/app-config.js';
import { fitToFiles } from '../../src/modules/fusion/fit-to-files.js';
import { ProjectionStore } from '../../src/modules/fusion/projection-store.service.js';
import { startTelemetry } from '../../src/telemetry/otel-sdk.js';
import { synthesizeClipVitB32, synthesizeWav2vec2Base } from '../encoders/synth-encoders.js';
import { synthesizeClipB32Full, synthesizeMiniLmL6 } from '../encoders/synth-text-encoders.js';
import { wav } from '../encoders/wav.js';
import { percentile } from '../llm/stats.js';

// bench/fusion: (1) fusion.project per modality and fusion.align at real widths (CLIP/CLAP 512 → MiniLM 384)
// through the server's ProjectionStore, spans included; (2) end-to-end multimodal asks over GraphQL multipart on
// random-weight encoders of real size (CLIP ViT-B/32 both towers, MiniLM-L6 text embedder, wav2vec2-base ASR)
// with the fast path's tiny GGUF answering 8 tokens, so the figures are the server's multimodal pipeline, split
// into its spans. CLAP stays the tiny fixture (no real-size HTSAT synthesis yet).

const runs = Number(process.env.BENCH_ITERATIONS ?? 15);
const root = packageRoot();
const cache = path.join(root, 'bench/.cache');
const fixtures = (name: string) => path.join(root, 'test/fixtures/models', name);
const spans = new InMemorySpanExporter();
startTelemetry({
  serviceName: 'bench',
  otlpEndpoint: undefined,
  enabled: true,
  metrics: false,
  extraProcessors: [new SimpleSpanProcessor(spans)],
});

async function time(fn: () => Promise<unknown>, n = runs): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up: JIT, arenas, label caches
  spans.reset();
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

const cell = (v: number) => v.toFixed(v < 10 ? 2 : 1).padStart(8);
const row = (name: string, samples: number[], target = '') =>
  `${name.padEnd(44)}${cell(percentile(samples, 50))}${cell(percentile(samples, 95))}${cell(percentile(samples, 99))}  ${target}`;
const HEADER = `${''.padEnd(44)}${'p50 ms'.padStart(8)}${'p95 ms'.padStart(8)}${'p99 ms'.padStart(8)}`;

console.log(
  `bench/fusion — ${runs} runs after 3 warm-ups, ${os.availableParallelism()} cores; synthesizing/reusing real-size models…`,
);
const vit = synthesizeClipVitB32(cache, fixtures('tiny-clip'));
const clip = synthesizeClipB32Full(cache, fixtures('tiny-clip'), vit);
const minilm = synthesizeMiniLmL6(cache, fixtures('tiny-bert'));
const w2v = synthesizeWav2vec2Base(cache, fixtures('tiny-wav2vec2-ctc'));
const models = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-fusion-'));
const env = {
  MNEME_HOST: '127.0.0.1',
  MNEME_MODELS_DIR: models,
  MNEME_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-fusion-data-')),
  MNEME_LLM_MODEL: fixtures('tiny-llama/tiny-llama.gguf'),
  MNEME_VISION_MODEL: clip,
  MNEME_TEXT_EMBEDDING_MODEL: minilm,
  MNEME_ASR_MODEL: w2v,
  MNEME_LOG_LEVEL: 'warn',
};
const fitStarted = performance.now();
const fits = await fitToFiles(
  loadConfig({ ...env, MNEME_PERCEPTION_PRELOAD: 'false' }),
  readFileSync(path.join(root, 'bench/fusion/texts.txt'), 'utf8').split('\n'),
  path.join(models, 'fusion'),
);
console.log(
  `fusion:fit on ${fits[0]!.fit.quality.pairs} texts in ${((performance.now() - fitStarted) / 1000).toFixed(1)} s: ` +
    fits.map(({ fit }) => `${fit.source} → ${fit.target}`).join(', ') +
    '\n',
);

const app = await createApp(loadConfig(env), { logger: ['error'] });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}/graphql`;

// (1) The projection store alone, on random unit vectors of the towers' widths.
const store = app.get(ProjectionStore);
const ctx = { trace: ROOT_CONTEXT };
const unit = (dims: number) => normalize(Float32Array.from({ length: dims }, () => Math.random() - 0.5));
const clipDims = fits[0]!.fit.inDims;
const clapDims = fits[1]!.fit.inDims;
const targetDims = fits[0]!.fit.outDims;
const micro = {
  image: await time(() => store.project('image', unit(clipDims), ctx), 200),
  audio: await time(() => store.project('audio', unit(clapDims), ctx), 200),
  align: await time(() => store.align([unit(targetDims), unit(targetDims), unit(targetDims)], ctx), 200),
  total: await time(async () => {
    const [image, audio] = await Promise.all([
      store.project('image', unit(clipDims), ctx),
      store.project('audio', unit(clapDims), ctx),
    ]);
    await store.align([unit(targetDims), image!, audio!], ctx);
  }, 200),
};
console.log(`(1) projection store, 200 calls each\n${HEADER}`);
console.log(row(`fusion.project image (${clipDims} → ${targetDims})`, micro.image, 'target < 50 ms'));
console.log(row(`fusion.project audio (${clapDims} → ${targetDims})`, micro.audio, 'target < 50 ms'));
console.log(row('fusion.align (3 vectors)', micro.align, 'target < 100 ms'));
console.log(row('project ×2 + align', micro.total, 'target < 100 ms total'));

// (2) Multimodal asks over GraphQL multipart, with the spans of each stage.
const ASK = `mutation($input: AskInput!) { ask(input: $input) { text perception { fused alignment } } }`;
const photo = readFileSync(path.join(root, 'test/fixtures/media/photo-640x480.jpg'));
const speech = wav(5, 16_000, 1);
async function ask(prompt: string, image: boolean, audio: boolean): Promise<void> {
  const input: Record<string, unknown> = { prompt, maxTokens: 8, temperature: 0 };
  const files: [string, Buffer, string][] = [];
  if (image) {
    input.images = [{ upload: null }];
    files.push(['variables.input.images.0.upload', photo, 'photo.jpg']);
  }
  if (audio) {
    input.audio = { upload: null };
    files.push(['variables.input.audio.upload', speech, 'speech.wav']);
  }
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: ASK, variables: { input } }));
  form.append('map', JSON.stringify(Object.fromEntries(files.map(([p], i) => [String(i), [p]]))));
  files.forEach(([, data, name], i) => form.append(String(i), new Blob([data]), name));
  const body = (await (await fetch(url, { method: 'POST', body: form })).json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
}

const STAGES = [
  'encode.image',
  'fusion.answer',
  'perceive.audio',
  'fusion.project',
  'fusion.align',
  'memory.episodic.recall',
  'memory.episodic.remember',
  'chat tiny-llama',
];
function stageMedians(): string {
  const byName = new Map<string, number[]>();
  for (const span of spans.getFinishedSpans()) {
    const [s, ns] = span.duration;
    const operation = span.attributes['memory.operation'];
    const name = typeof operation === 'string' ? `${span.name}.${operation}` : span.name;
    const list = byName.get(name) ?? [];
    list.push(s * 1000 + ns / 1e6);
    byName.set(name, list);
  }
  return STAGES.filter((name) => byName.has(name))
    .map((name) => `${name} ${percentile(byName.get(name)!, 50).toFixed(1)}`)
    .join(' · ');
}

console.log(`\n(2) ask over GraphQL multipart, fast path, 8 tokens (${runs} runs)\n${HEADER}`);
for (const [name, prompt, image, audio] of [
  ['text only', 'Tell me about the weather today.', false, false],
  ['+ image (640×480 JPEG)', 'What is in this photo?', true, false],
  ['+ image, closed question (answers scored)', 'What color is the car?', true, false],
  ['+ 5 s audio', 'What did I just say?', false, true],
  ['+ image + 5 s audio', 'Does the sound match the picture?', true, true],
] as const) {
  const samples = await time(() => ask(prompt, image, audio));
  console.log(row(name, samples));
  console.log(`${''.padEnd(4)}stage p50 ms: ${stageMedians()}`);
}
await app.close();
