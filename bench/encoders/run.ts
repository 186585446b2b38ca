import os from 'node:os';
import sharp from 'sharp';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { percentile } from '../llm/stats.js';
import { decodeAudio } from '../../src/modules/audio/audio-decoder.js';
import { resample } from '../../src/modules/audio/resampler.js';
import { decodeImage } from '../../src/modules/vision/image-decoder.js';
import { ImagePreprocessor } from '../../src/modules/vision/image-preprocessor.js';
import { readModelJson } from '../../src/engines/onnx/model-folder.js';
import { packageRoot } from '../../src/common/package-root.js';
import path from 'node:path';

// bench/encoders: latency of the perception paths through the real server (GraphQL over HTTP, base64 media),
// split into the server's own decode + preprocessing work and the model. Models here are the bundled tiny
// fixtures, so model time is near zero and the figures are the server's overhead; synthesizing real-size ONNX
// encoders (ViT-B/32, wav2vec2-base) for the model share is still to do.

const runs = Number(process.env.BENCH_ITERATIONS ?? 20);
const root = packageRoot();

function stats(samples: number[]): string {
  return `p50 ${percentile(samples, 50).toFixed(1).padStart(7)} ms   p95 ${percentile(samples, 95).toFixed(1).padStart(7)} ms`;
}

async function time(fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples;
}

async function photo(width: number, height: number): Promise<Buffer> {
  // Smooth gradients plus noise: compresses like a photo, unlike a flat test card.
  const noise = await sharp({
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
  return noise;
}

function wav(seconds: number, rate: number, channels: number): Buffer {
  const frames = seconds * rate;
  const data = Buffer.alloc(frames * channels * 2);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++)
      data.writeInt16LE(
        Math.round(12000 * Math.sin((2 * Math.PI * 220 * (c + 1) * i) / rate)),
        (i * channels + c) * 2,
      );
  }
  const header = Buffer.alloc(44);
  header.write('RIFFxxxxWAVEfmt ', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

const small = await photo(640, 480);
const large = await photo(4000, 3000);
const audio = wav(10, 44100, 2);
console.log(`bench/encoders — ${runs} runs after 1 warm-up, ${os.availableParallelism()} cores`);
console.log(
  `inputs: 640×480 JPEG ${small.length} B, 4000×3000 (12 MP) JPEG ${large.length} B, 10 s 44.1 kHz stereo WAV ${audio.length} B\n`,
);

const preprocessor = new ImagePreprocessor(
  readModelJson(path.join(root, 'test/fixtures/models/tiny-clip'), 'preprocessor_config.json'),
);
console.log('server-side work, in process:');
for (const [name, bytes] of [
  ['640×480 decode+resize+crop', small],
  ['12 MP decode+resize+crop', large],
] as const) {
  const samples = await time(async () =>
    preprocessor.toPixels([await decodeImage({ bytes, label: name }, preprocessor, 5e7, name)]),
  );
  console.log(`  ${name.padEnd(32)} ${stats(samples)}`);
}
const decoded = await decodeAudio({ bytes: audio, label: 'wav' }, 600, 'wav');
const inProcess: [string, () => unknown][] = [
  ['10 s WAV decode + downmix', () => decodeAudio({ bytes: audio, label: 'wav' }, 600, 'wav')],
  ['10 s resample 44.1→16 kHz', () => resample(decoded.samples, 44100, 16000)],
  ['10 s resample 44.1→48 kHz', () => resample(decoded.samples, 44100, 48000)],
];
for (const [name, fn] of inProcess) {
  console.log(`  ${name.padEnd(32)} ${stats(await time(() => Promise.resolve(fn())))}`);
}

const app = await createApp(
  loadConfig({
    MNEME_HOST: '127.0.0.1',
    MNEME_MEDIA_MAX_BYTES: String(64 * 1024 * 1024),
    MNEME_LOG_LEVEL: 'warn',
  }),
  {
    logger: ['error'],
  },
);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}/graphql`;
const ask = async (query: string, variables: Record<string, unknown>) => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
const image = (b: Buffer) => ({ base64: b.toString('base64') });
const ENCODE = 'query($i: MediaInput!) { encodeImage(image: $i) { dims } }';
const ENCODE_MANY = 'query($i: [MediaInput!]!) { encodeImages(images: $i) { dims } }';
console.log('\nthrough the server (GraphQL over HTTP, base64 bodies; tiny fixture models):');
const rows: [string, () => Promise<unknown>][] = [
  ['encodeImage 640×480 JPEG', () => ask(ENCODE, { i: image(small) })],
  ['encodeImage 12 MP JPEG', () => ask(ENCODE, { i: image(large) })],
  ['encodeImages 4 × 640×480', () => ask(ENCODE_MANY, { i: [small, small, small, small].map(image) })],
  [
    'transcribe 10 s (tiny-whisper)',
    () => ask('query($a: MediaInput!) { transcribe(audio: $a) { text } }', { a: image(audio) }),
  ],
  [
    'encodeAudio 10 s (tiny-clap)',
    () => ask('query($a: MediaInput!) { encodeAudio(audio: $a) { dims } }', { a: image(audio) }),
  ],
];
for (const [name, fn] of rows) console.log(`  ${name.padEnd(32)} ${stats(await time(fn))}`);
await app.close();
console.log('\ntargets: image < 200 ms, four images < 500 ms, audio < 100 ms per second of audio');
