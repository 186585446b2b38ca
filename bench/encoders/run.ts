import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { createApp } from '../../src/app.factory.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { decodeAudio } from '../../src/modules/audio/audio-decoder.js';
import { resample } from '../../src/modules/audio/resampler.js';
import { percentile } from '../llm/stats.js';
import { synthesizeClipVitB32, synthesizeWav2vec2Base } from './synth-encoders.js';
import { wav } from './wav.js';

// bench/encoders: p50/p95 of the perception paths through the real server (GraphQL over HTTP, base64 media) on
// random-weight encoders of real size that it synthesizes once (a ViT-B/32 CLIP vision tower, a wav2vec2-base
// CTC model), next to raw onnxruntime on the same ONNX files, so decode + preprocessing overhead is a ratio.
// encodeAudio still runs the tiny CLAP fixture (no real-size CLAP synthesis yet).

const runs = Number(process.env.BENCH_ITERATIONS ?? 15);
const threads = os.availableParallelism();
const root = packageRoot();
const cache = path.join(root, 'bench/.cache');

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 3; i++) await fn(); // warm-up: JIT, allocator and onnxruntime arenas settle
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

const p = (samples: number[], q: number) => percentile(samples, q).toFixed(1).padStart(8);

/** Pure noise: the worst case for a JPEG decoder (7.9 MB at 12 MP; Huffman decoding dominates). */
async function noisePhoto(width: number, height: number): Promise<Buffer> {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/**
 * Photo-like: smooth structure (upscaled coarse noise) under fine grain, about 0.3 bytes per pixel at
 * quality 90 — the size of a 12 MP phone photo (3–5 MB), unlike the noise image.
 */
async function cameraPhoto(width: number, height: number): Promise<Buffer> {
  const noise = (w: number, h: number, sigma: number) =>
    sharp({
      create: {
        width: w,
        height: h,
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma },
      },
    })
      .png()
      .toBuffer();
  const grain = await noise(width, height, 8);
  return sharp(await noise(Math.round(width / 10), Math.round(height / 10), 60))
    .resize(width, height, { kernel: 'cubic' })
    .composite([{ input: grain, blend: 'overlay' }])
    .jpeg({ quality: 90 })
    .toBuffer();
}

console.log(
  `bench/encoders — ${runs} runs after 3 warm-ups, ${threads} cores; synthesizing/reusing real-size models…`,
);
const vit = synthesizeClipVitB32(cache, path.join(root, 'test/fixtures/models/tiny-clip'));
const w2v = synthesizeWav2vec2Base(cache, path.join(root, 'test/fixtures/models/tiny-wav2vec2-ctc'));
const small = await noisePhoto(640, 480);
const large = await noisePhoto(4000, 3000);
const camera = await cameraPhoto(4000, 3000);
const audio = wav(10, 44100, 2);
console.log(
  `inputs: 640×480 JPEG ${small.length} B, 12 MP JPEG ${large.length} B (noise) / ${camera.length} B (photo-like), 10 s 44.1 kHz stereo WAV ${audio.length} B\n`,
);

// Raw onnxruntime on the same files, inputs already tensors: the floor the server's numbers are compared to.
const options = { intraOpNumThreads: threads, interOpNumThreads: 1 };
const vision = await ort.InferenceSession.create(path.join(vit, 'onnx/vision_model.onnx'), options);
const asr = await ort.InferenceSession.create(path.join(w2v, 'onnx/model.onnx'), options);
const pixels = (n: number) =>
  new ort.Tensor('float32', new Float32Array(n * 3 * 224 * 224).fill(0.1), [n, 3, 224, 224]);
const raw = {
  image: await time(() => vision.run({ pixel_values: pixels(1) })),
  four: await time(() => vision.run({ pixel_values: pixels(4) })),
  speech: await time(() =>
    asr.run({ input_values: new ort.Tensor('float32', new Float32Array(160_000).fill(0.01), [1, 160_000]) }),
  ),
};
const asrQ8 = await ort.InferenceSession.create(path.join(w2v, 'onnx/model_quantized.onnx'), options);
const speechInput = () =>
  ({ input_values: new ort.Tensor('float32', new Float32Array(160_000).fill(0.01), [1, 160_000]) }) as const;
const rawQ8 = await time(() => asrQ8.run(speechInput()));
await vision.release();
await asr.release();
await asrQ8.release();

const decoded = await decodeAudio({ bytes: audio, label: 'wav' }, 600, 'wav');
const stages = {
  decode: await time(() => decodeAudio({ bytes: audio, label: 'wav' }, 600, 'wav')),
  resample: await time(() => Promise.resolve(resample(decoded.samples, 44100, 16000))),
};

const app = await createApp(
  loadConfig({
    MNEME_HOST: '127.0.0.1',
    MNEME_VISION_MODEL: vit,
    MNEME_ASR_MODEL: w2v,
    MNEME_MEDIA_MAX_BYTES: String(64 * 1024 * 1024),
    MNEME_BODY_LIMIT_BYTES: String(128 * 1024 * 1024),
    MNEME_LOG_LEVEL: 'warn',
  }),
  { logger: ['error'] },
);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}/graphql`;
const query = async (document: string, variables: Record<string, unknown>) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: document, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
const b64 = (b: Buffer) => ({ base64: b.toString('base64') });
// The GraphQL multipart request spec: how a client sends a large file without base64 inflating it by a third.
const upload = async (document: string, files: Buffer[]) => {
  const single = files.length === 1;
  const form = new FormData();
  const paths = files.map((_, i) => (single ? 'variables.i.upload' : `variables.i.${i}.upload`));
  const variables = { i: single ? { upload: null } : files.map(() => ({ upload: null })) };
  form.append('operations', JSON.stringify({ query: document, variables }));
  form.append('map', JSON.stringify(Object.fromEntries(paths.map((path, i) => [String(i), [path]]))));
  files.forEach((f, i) => form.append(String(i), new Blob([f]), `f${i}.jpg`));
  const body = (await (await fetch(url, { method: 'POST', body: form })).json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
const server = {
  small: await time(() =>
    query('query($i: MediaInput!) { encodeImage(image: $i) { dims } }', { i: b64(small) }),
  ),
  large: await time(() =>
    query('query($i: MediaInput!) { encodeImage(image: $i) { dims } }', { i: b64(large) }),
  ),
  camera: await time(() =>
    query('query($i: MediaInput!) { encodeImage(image: $i) { dims } }', { i: b64(camera) }),
  ),
  cameraUpload: await time(() =>
    upload('query($i: MediaInput!) { encodeImage(image: $i) { dims } }', [camera]),
  ),
  largeUpload: await time(() =>
    upload('query($i: MediaInput!) { encodeImage(image: $i) { dims } }', [large]),
  ),
  fourUpload: await time(() =>
    upload('query($i: [MediaInput!]!) { encodeImages(images: $i) { dims } }', [small, small, small, small]),
  ),
  four: await time(() =>
    query('query($i: [MediaInput!]!) { encodeImages(images: $i) { dims } }', {
      i: [small, small, small, small].map(b64),
    }),
  ),
  speech: await time(() =>
    query('query($a: MediaInput!) { transcribe(audio: $a) { text } }', { a: b64(audio) }),
  ),
  clap: await time(() =>
    query('query($a: MediaInput!) { encodeAudio(audio: $a) { dims } }', { a: b64(audio) }),
  ),
};
await app.close();

// The same transcription with int8-quantized linear layers (MNEME_ONNX_DTYPE=q8 → model_quantized.onnx).
const q8App = await createApp(
  loadConfig({
    MNEME_HOST: '127.0.0.1',
    MNEME_ASR_MODEL: w2v,
    MNEME_ASR_DTYPE: 'q8',
    MNEME_PERCEPTION_PRELOAD: 'false', // this server only transcribes; the warm-ups load the model
    MNEME_LOG_LEVEL: 'warn',
  }),
  { logger: ['error'] },
);
await q8App.listen({ port: 0, host: '127.0.0.1' });
const q8Address = q8App.getHttpServer().address();
if (typeof q8Address !== 'object' || q8Address === null) throw new Error('no address');
const q8Transcribe = await time(async () => {
  const response = await fetch(`http://127.0.0.1:${q8Address.port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'query($a: MediaInput!) { transcribe(audio: $a) { text } }',
      variables: { a: b64(audio) },
    }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
});
await q8App.close();

console.log('path                                         p50 ms    p95 ms    raw p50   server/raw   target');
const row = (name: string, samples: number[], rawSamples?: number[], target = '') => {
  const ratio = rawSamples
    ? (percentile(samples, 50) / percentile(rawSamples, 50)).toFixed(2).padStart(8)
    : '       –';
  const rawP50 = rawSamples ? p(rawSamples, 50) : '       –';
  console.log(`${name.padEnd(42)} ${p(samples, 50)}  ${p(samples, 95)}  ${rawP50}    ${ratio}     ${target}`);
};
row('encodeImage 640×480 JPEG (ViT-B/32)', server.small, raw.image, '< 200 ms');
row('encodeImage 12 MP photo-like JPEG', server.camera, raw.image, '< 200 ms');
row('  the same, multipart upload', server.cameraUpload, raw.image, '< 200 ms');
row('encodeImage 12 MP noise JPEG (worst case)', server.large, raw.image, '< 200 ms');
row('  the same, multipart upload', server.largeUpload, raw.image, '< 200 ms');
row('encodeImages 4 × 640×480 (one batch)', server.four, raw.four, '< 500 ms');
row('  the same, multipart upload', server.fourUpload, raw.four, '< 500 ms');
row('transcribe 10 s WAV (wav2vec2-base CTC)', server.speech, raw.speech, '< 1000 ms');
row('  the same, int8 linear layers (q8)', q8Transcribe, rawQ8, '< 1000 ms');
row('encodeAudio 10 s WAV (tiny CLAP fixture)', server.clap);
row('  of which: WAV decode + downmix, 10 s', stages.decode);
row('  of which: resample 44.1 → 16 kHz, 10 s', stages.resample);
