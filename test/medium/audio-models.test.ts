import { readFileSync } from 'node:fs';
import path from 'node:path';
import { env, pipeline } from '@huggingface/transformers';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { dot } from '../../src/common/vector.js';
import { loadConfig } from '../../src/config/app-config.js';
import { AudioEmbedder } from '../../src/modules/audio/audio-embedder.service.js';
import { decodeAudio } from '../../src/modules/audio/audio-decoder.js';
import { SpeechToText } from '../../src/modules/audio/speech-recognizer.service.js';

const fixture = (name: string) => path.resolve('test/fixtures/models', name);
const wav = (name: string) => ({
  bytes: readFileSync(path.resolve('test/fixtures/media', name)),
  label: name,
});

function tone(seconds: number, rate: number): Float32Array {
  return Float32Array.from(
    { length: Math.round(seconds * rate) },
    (_, i) => 0.3 * Math.sin((2 * Math.PI * 300 * i) / rate),
  );
}

const services: { onApplicationShutdown(): Promise<void> }[] = [];
afterAll(async () => {
  for (const s of services) await s.onApplicationShutdown();
});

function speech(model: string): SpeechToText {
  const s = new SpeechToText(
    loadConfig({ MNEME_ASR_MODEL: fixture(model), MNEME_PERCEPTION_PRELOAD: 'false' }),
    new ModelCatalog(),
  );
  services.push(s);
  return s;
}

describe('speech-to-text, both families', () => {
  it('runs Whisper on every fixture encoding, resampled to 16 kHz', async () => {
    const whisper = speech('tiny-whisper');
    for (const name of [
      'speech-16k-pcm16.wav',
      'stereo-44k1-pcm16.wav',
      'tone-22k-pcm24.wav',
      'tone-8k-pcm8.wav',
    ]) {
      const audio = await decodeAudio(wav(name), 600, name);
      const result = await whisper.transcribe(audio.samples, audio.sampleRate);
      expect(typeof result.text).toBe('string');
      expect(result.language).toBeNull();
    }
  });

  it('passes the language to Whisper and reports it', async () => {
    const result = await speech('tiny-whisper').transcribe(tone(2, 16000), 16000, 'fr');
    expect(result.language).toBe('fr');
  });

  it('transcribes long audio in overlapping Whisper windows instead of truncating at 30 s', async () => {
    const whisper = speech('tiny-whisper');
    const short = await whisper.transcribe(tone(20, 16000), 16000);
    const long = await whisper.transcribe(tone(75, 16000), 16000);
    // Three windows of output against one: a truncating pipeline would give about the same length.
    expect(long.text.length).toBeGreaterThan(short.text.length);
  });

  it('runs a CTC model (wav2vec2) and chunks long audio on logits like one full pass', async () => {
    const ctc = speech('tiny-wav2vec2-ctc');
    const audio = tone(45, 16000);
    const chunked = await ctc.transcribe(audio, 16000);
    env.allowRemoteModels = false;
    env.localModelPath = path.resolve('test/fixtures/models');
    const reference = (await pipeline('automatic-speech-recognition', 'tiny-wav2vec2-ctc', {
      dtype: 'fp32',
    })) as unknown as (a: Float32Array) => Promise<{ text: string }>;
    const whole = await reference(audio);
    expect(chunked.language).toBeNull();
    // Same frames, decoded once: within a few characters of the unchunked pass (boundaries may differ slightly).
    expect(Math.abs(chunked.text.length - whole.text.length)).toBeLessThanOrEqual(
      Math.max(8, whole.text.length * 0.05),
    );
  });
});

describe('ONNX weight variants', () => {
  it('reports a missing quantized file as MODEL_UNAVAILABLE naming it, and keeps the model retryable', async () => {
    const q8 = new SpeechToText(
      loadConfig({
        MNEME_ASR_MODEL: fixture('tiny-wav2vec2-ctc'),
        MNEME_ONNX_DTYPE: 'q8',
        MNEME_PERCEPTION_PRELOAD: 'false',
      }),
      new ModelCatalog(),
    );
    services.push(q8);
    const failure = await q8.transcribe(tone(1, 16000), 16000).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringContaining('model_quantized.onnx'),
    });
    await expect(q8.transcribe(tone(1, 16000), 16000)).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
  });
});

describe('CLAP audio embeddings', () => {
  const embedder = new AudioEmbedder(
    loadConfig({ MNEME_AUDIO_EMBEDDING_MODEL: fixture('tiny-clap'), MNEME_PERCEPTION_PRELOAD: 'false' }),
    new ModelCatalog(),
  );
  services.push(embedder);

  it('are unit vectors of the projection size, the same for the same sound at different rates', async () => {
    const at16 = await embedder.embed(tone(3, 16000), 16000);
    const at48 = await embedder.embed(tone(3, 48000), 48000);
    expect(at16).toHaveLength(32);
    expect(Math.sqrt(dot(at16, at16))).toBeCloseTo(1, 5);
    expect(dot(at16, at48)).toBeGreaterThan(0.99);
  });

  it('embed audio longer than the model window deterministically (windows averaged, no random crop)', async () => {
    const long = tone(25, 48000);
    const a = await embedder.embed(long, 48000);
    const b = await embedder.embed(long, 48000);
    expect(dot(a, b)).toBeCloseTo(1, 6);
  });
});
