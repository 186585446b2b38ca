import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../../src/common/error-codes.js';
import { MnemeError } from '../../src/common/mneme-error.js';
import { loadConfig } from '../../src/config/app-config.js';
import { readModelJson } from '../../src/engines/onnx/model-folder.js';
import { AudioWorkers } from '../../src/modules/audio/audio-workers.service.js';
import { decodeImage } from '../../src/modules/vision/image-decoder.js';
import { ImagePreprocessor, type PreprocessorConfig } from '../../src/modules/vision/image-preprocessor.js';
import { seeded } from '../../bench/random.js';

// Decoder fuzzing (issue #14): valid files, mutated a few hundred ways per format from fixed seeds, go through
// the real decoding paths. Every one ends in a result or a coded error: no crash, no hang, no memory kept.

// 150 per format in the suite; MNEME_FUZZ_MUTANTS=3000 fuzzes deeper (same seeds, then more).
const MUTANTS = Number(process.env.MNEME_FUZZ_MUTANTS ?? 150);
const DEADLINE_MS = 15_000;
const CODES = new Set<string>(Object.values(ErrorCode));

const config = loadConfig({ MNEME_AUDIO_MAX_SECONDS: '600', MNEME_LOG_LEVEL: 'error' });
const workers = new AudioWorkers(config);
const preprocessor = new ImagePreprocessor(
  readModelJson<PreprocessorConfig>(
    path.resolve('test/fixtures/models/tiny-clip'),
    'preprocessor_config.json',
  ),
);

afterAll(() => workers.onApplicationShutdown());

const fixture = (name: string) => readFileSync(path.resolve('test/fixtures/media', name));

/** One of five damages, chosen and placed by the seed: flipped bytes, a cut, junk inserted, a repeat, a torn header. */
function mutate(original: Buffer, seed: number): Buffer {
  const random = seeded(seed);
  const at = (n = original.length) => Math.floor(random() * n);
  const bytes = Buffer.from(original);
  switch (seed % 5) {
    case 0:
      for (let i = 0, n = 1 + at(20); i < n; i++) bytes[at()] = at(256);
      return bytes;
    case 1:
      return bytes.subarray(0, at());
    case 2: {
      const cut = at();
      const junk = Buffer.from(Array.from({ length: 1 + at(512) }, () => at(256)));
      return Buffer.concat([bytes.subarray(0, cut), junk, bytes.subarray(cut)]);
    }
    case 3: {
      const from = at();
      const piece = bytes.subarray(from, from + 1 + at(4096));
      return Buffer.concat([bytes, piece, piece]);
    }
    default:
      for (let i = 0; i < 64 && i < bytes.length; i++) if (random() < 0.2) bytes[i] = at(256);
      return bytes;
  }
}

/** Runs a decode: answers 'ok' or the error's code, failing on an uncoded error or a hang. */
async function outcome(decode: (signal: AbortSignal) => Promise<unknown>): Promise<string> {
  const signal = AbortSignal.timeout(DEADLINE_MS);
  try {
    await decode(signal);
    return 'ok';
  } catch (error) {
    if (signal.aborted) throw new Error(`decoding hung past ${DEADLINE_MS} ms`, { cause: error });
    if (!(error instanceof MnemeError) || !CODES.has(error.code)) throw error;
    return error.code;
  }
}

async function fuzz(file: string, decode: (bytes: Buffer, signal: AbortSignal) => Promise<unknown>) {
  const original = fixture(file);
  expect(await outcome((signal) => decode(original, signal))).toBe('ok');
  const tally = new Map<string, number>();
  for (let seed = 1; seed <= MUTANTS; seed++) {
    const result = await outcome((signal) => decode(mutate(original, seed), signal));
    tally.set(result, (tally.get(result) ?? 0) + 1);
  }
  return tally;
}

const decodeAudio = (bytes: Buffer, signal: AbortSignal) =>
  workers.prepare({ bytes, label: 'fuzz' }, [16_000], 'The audio', signal);
const decodeAnImage = (bytes: Buffer) =>
  decodeImage({ bytes, label: 'fuzz' }, preprocessor, config.perception.maxImagePixels, 'The image');

describe('decoder fuzzing', () => {
  const rssBefore = process.memoryUsage().rss;

  it.each(['speech-16k-pcm16.wav', 'stereo.mp3', 'speech.flac', 'speech.ogg', 'speech.opus'])(
    'every mutated %s ends in samples or a coded error',
    async (file) => {
      const tally = await fuzz(file, decodeAudio);
      // The mutations do damage: most are refused, each with a code a client can act on.
      expect([...tally.entries()].filter(([k]) => k !== 'ok').length).toBeGreaterThan(0);
    },
    120_000,
  );

  it.each(['alpha.png', 'photo-640x480.jpg', 'image.webp'])(
    'every mutated %s ends in pixels or a coded error',
    async (file) => {
      const tally = await fuzz(file, decodeAnImage);
      expect([...tally.entries()].filter(([k]) => k !== 'ok').length).toBeGreaterThan(0);
    },
    120_000,
  );

  it('never killed a decoding worker nor met an uncoded error in one', () => {
    expect(workers.workerFailures).toBe(0);
  });

  it('keeps no memory once the mutants are gone', () => {
    global.gc?.();
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });
});
