import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import * as lancedb from '@lancedb/lancedb';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { cosine } from '../../src/common/vector.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { AudioEmbedder } from '../../src/modules/audio/audio-embedder.service.js';
import { AudioService } from '../../src/modules/audio/audio.service.js';
import { AudioWorkers } from '../../src/modules/audio/audio-workers.service.js';
import { SpeechToText } from '../../src/modules/audio/speech-recognizer.service.js';
import { ProjectionStore } from '../../src/modules/fusion/projection-store.service.js';
import { MediaReader } from '../../src/modules/media/media-reader.service.js';
import { Headroom } from '../../src/telemetry/headroom.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { ClipEncoder } from '../../src/modules/vision/clip-encoder.service.js';
import { VisionService } from '../../src/modules/vision/vision.service.js';
import { modelsDirWithFits } from '../support/fusion-fits.js';
import { ctxOf, memoryStack, tempDir } from '../support/memory-stack.js';

const alice = ctxOf('alice');
const base64 = (file: string) => ({
  base64: readFileSync(path.join('test/fixtures/media', file)).toString('base64'),
});
const IMAGES = ['photo-640x480.jpg', 'alpha.png', 'image.webp', 'image.gif', 'rotated-exif6.jpg'];

let config: AppConfig;
let text: TextEmbedderService;
let clip: ClipEncoder;
let clap: AudioEmbedder;
let speech: SpeechToText;
let vision: VisionService;
let audio: AudioService;
let workers: AudioWorkers;
let projections: ProjectionStore;

/** Episodic memory over the shared text embedder, in a fresh data directory unless one is given. */
const memoryIn = (dataDir?: string) => memoryStack({ only: 'episodic', dataDir, embedder: text }).open();

/** The fixture images, encoded by the real CLIP towers and projected into the shared space. */
async function sharedImageVectors(): Promise<Float32Array[]> {
  const encoded = await vision.encode(IMAGES.map(base64), ROOT_CONTEXT);
  return Promise.all(encoded.map(async (e) => (await projections.project('image', e.vector, alice))!));
}

beforeAll(async () => {
  config = loadConfig({ MNEME_MODELS_DIR: await modelsDirWithFits(), MNEME_LOG_LEVEL: 'error' });
  const catalog = new ModelCatalog();
  text = new TextEmbedderService(config, catalog);
  clip = new ClipEncoder(config, catalog);
  clap = new AudioEmbedder(config, catalog);
  speech = new SpeechToText(config, catalog);
  const reader = new MediaReader(config, new Headroom(config.limits.pressure));
  vision = new VisionService(clip, reader, config);
  workers = new AudioWorkers(config);
  audio = new AudioService(reader, workers, speech, clap, config);
  projections = new ProjectionStore(config, text);
  await projections.onModuleInit();
});

afterAll(async () => {
  await Promise.all([text, clip, clap, speech, workers].map((s) => s.onApplicationShutdown()));
});

describe('cross-modal recall', () => {
  it('finds image episodes by a text query through their shared-space vectors, nearest first', async () => {
    const { episodic } = await memoryIn();
    const vectors = await sharedImageVectors();
    // The image episodes' words share nothing with the query: only their image vectors can match it.
    const images = await episodic.remember(
      vectors.map((imageVector) => ({
        sessionId: 'album',
        role: 'user',
        text: 'Keep it.',
        modality: 'image',
        imageVector,
      })),
      alice,
    );
    await episodic.remember(
      ['Lunch is at noon.', 'The build passed.', 'Call the plumber on Monday.'].map((t) => ({
        sessionId: 'notes',
        role: 'user',
        text: t,
      })),
      alice,
    );
    const query = 'a red car parked on a sunny street';
    const [queryVector] = await text.embed([query]);
    const nearest = images
      .map((e, i) => ({ id: e.id, similarity: cosine(queryVector!, vectors[i]!) }))
      .sort((a, b) => b.similarity - a.similarity);

    const hits = await episodic.recall({ text: query, first: 8 }, alice);
    const byMedia = hits.filter((h) => h.mediaRank !== undefined).sort((a, b) => a.mediaRank! - b.mediaRank!);
    expect(byMedia.map((h) => h.item.id)).toEqual(nearest.map((n) => n.id));
    expect(byMedia[0]!.textRank).toBeUndefined();
    // Text-only episodes are never media candidates.
    expect(hits.filter((h) => h.item.sessionId === 'notes').every((h) => h.mediaRank === undefined)).toBe(
      true,
    );
  });

  it('finds an audio episode by the same sound, and keeps other tenants out', async () => {
    const { episodic } = await memoryIn();
    const clipVector = (await audio.encode(base64('speech-16k-pcm16.wav'), ROOT_CONTEXT)).vector;
    const audioVector = (await projections.project('audio', clipVector, alice))!;
    const toneVector = (await projections.project(
      'audio',
      (await audio.encode(base64('tone-16k-float32.wav'), ROOT_CONTEXT)).vector,
      alice,
    ))!;
    const [speechEpisode, toneEpisode] = await episodic.remember(
      [
        { sessionId: 'sounds', role: 'user', text: 'Listen.', modality: 'audio', audioVector },
        { sessionId: 'sounds', role: 'user', text: 'Listen.', modality: 'audio', audioVector: toneVector },
      ],
      alice,
    );
    // A query by sound alone: no words at all.
    const hits = await episodic.recall({ text: '', vectors: { audio: audioVector }, first: 2 }, alice);
    expect(hits[0]!.item.id).toBe(speechEpisode!.id);
    expect(hits[0]!.mediaRank).toBe(1);
    expect(hits.map((h) => h.item.id)).toContain(toneEpisode!.id);
    expect(
      await episodic.recall({ text: '', vectors: { audio: audioVector }, first: 2 }, ctxOf('bob')),
    ).toEqual([]);
  });

  it('adds the newer columns (media vectors, summary sources) to an older table, keeping its rows', async () => {
    const dir = tempDir('xmodal');
    const first = await memoryIn(dir);
    await first.episodic.remember([{ sessionId: 'old', role: 'user', text: 'An old memory.' }], alice);
    await first.close();
    // Drop the new columns, as a table from the previous release would lack them.
    const db = await lancedb.connect(path.join(dir, 'episodic'));
    const table = await db.openTable('episodes');
    await table.dropColumns(['image_vector', 'audio_vector', 'fused_vector', 'sources']);
    table.close();
    db.close();

    const { episodic } = await memoryIn(dir);
    const [imageVector] = await sharedImageVectors();
    await episodic.remember(
      [{ sessionId: 'new', role: 'user', text: 'A new one.', modality: 'image', imageVector }],
      alice,
    );
    const hits = await episodic.recall({ text: 'memory', vectors: { image: imageVector }, first: 5 }, alice);
    expect(hits.map((h) => h.item.text).sort()).toEqual(['A new one.', 'An old memory.']);
    expect(hits.find((h) => h.item.text === 'A new one.')!.mediaRank).toBe(1);
    const old = hits.find((h) => h.item.text === 'An old memory.')!.item;
    expect(old.sources).toEqual([]);
    const [summary] = await episodic.remember(
      [{ sessionId: 'old', role: 'summary', text: 'Old things.', sources: [old.id] }],
      alice,
    );
    expect((await episodic.get([summary!.id], alice))[0]!.sources).toEqual([old.id]);
  });
});
