import { jest } from '@jest/globals';
import { cpSync } from 'node:fs';
import path from 'node:path';
import * as lancedb from '@lancedb/lancedb';
import { Field, FixedSizeList, Float32, Float64, Int32, List, Schema, Utf8 } from 'apache-arrow';
import type { EpisodicStack } from '../support/memory-stack.js';
import { closeStacks, ctxOf, memoryStack, tempDir } from '../support/memory-stack.js';
import { otherEmbedder } from '../support/other-embedders.js';

// Changing the text-embedding model under a memory that already holds episodes: the table opens in a re-embed,
// recall falls back to full text for what is not re-embedded yet, and re-embedding brings vector recall back.

const alice = ctxOf('alice');
const bob = ctxOf('bob');
afterEach(closeStacks);

const openMemory = (dataDir: string, model?: string, env: Record<string, string> = {}) =>
  memoryStack({
    only: 'episodic',
    dataDir,
    env: { ...(model && { MNEME_TEXT_EMBEDDING_MODEL: model }), ...env },
  }).open();

/** Re-embeds until the table is in the configured space; answers how many steps it took. */
async function reembedAll(stack: EpisodicStack, batch: number): Promise<number> {
  let steps = 0;
  while (stack.episodic.vectorSpace.degraded) {
    await stack.episodic.vectorSpace.step(batch);
    steps++;
  }
  return steps;
}

async function writeGazelles(dir: string): Promise<void> {
  const first = await openMemory(dir);
  await first.episodic.remember(
    [
      { sessionId: 's', role: 'user', text: 'my bicycle is a green gazelle' },
      { sessionId: 's', role: 'user', text: 'the weather in lisbon is sunny' },
    ],
    alice,
  );
  await first.episodic.remember([{ sessionId: 'b', role: 'user', text: 'bob has a gazelle too' }], bob);
  await first.close();
}

describe('changing the text-embedding model', () => {
  it('treats the same weights in another folder as the same space: nothing to re-embed', async () => {
    const dir = tempDir('reembed');
    await writeGazelles(dir);
    const copy = path.join(tempDir('reembed'), 'text-embedding');
    cpSync('test/fixtures/models/tiny-bert', copy, { recursive: true });
    const { episodic } = await openMemory(dir, copy);
    expect(episodic.vectorSpace.degraded).toBe(false);
    expect(await episodic.vectorSpace.status()).toMatchObject({ state: 'current', total: 3, remaining: 0 });
    const hits = await episodic.recall({ text: 'gazelle', first: 5 }, alice);
    expect(hits[0]!.vectorRank).toBeDefined();
  });

  it('serves recall by full text while re-embedding into a wider model, then by meaning again', async () => {
    const dir = tempDir('reembed');
    await writeGazelles(dir);
    const stack = await openMemory(dir, otherEmbedder('wider'));
    const { episodic } = stack;
    expect(episodic.vectorSpace.degraded).toBe(true);
    expect(await episodic.vectorSpace.status()).toMatchObject({
      state: 'reembedding',
      dims: 48,
      total: 3,
      remaining: 3,
      fromTestModel: 3, // written with the bundled random-weight model
    });

    // Meanwhile: the old episodes are found by their words only, and only the caller's.
    const during = await episodic.recall({ text: 'gazelle', first: 5 }, alice);
    expect(during.map((h) => h.item.text)).toEqual(['my bicycle is a green gazelle']);
    expect(during[0]!.vectorRank).toBeUndefined();
    expect(during[0]!.textRank).toBe(1);
    // A new episode is in the new space at once, its media vector too.
    const imageVector = Float32Array.from({ length: 48 }, (_, i) => Math.cos(i) / Math.sqrt(24));
    await episodic.remember(
      [{ sessionId: 's', role: 'user', text: 'gazelles run fast', imageVector }],
      alice,
    );
    const byImage = await episodic.recall({ text: '', vectors: { image: imageVector }, first: 1 }, alice);
    expect(byImage[0]!.item.text).toBe('gazelles run fast');
    const fresh = await episodic.recall({ text: 'gazelles run fast', first: 5 }, alice);
    expect(fresh.find((h) => h.item.text === 'gazelles run fast')!.vectorRank).toBeDefined();
    expect((await episodic.vectorSpace.status()).remaining).toBe(3);

    expect(await episodic.vectorSpace.step(1)).toBe(1);
    expect((await episodic.vectorSpace.status()).remaining).toBe(2);
    await reembedAll(stack, 1);

    expect(await episodic.vectorSpace.status()).toMatchObject({
      state: 'current',
      dims: 48,
      total: 4,
      remaining: 0,
      fromTestModel: 0,
    });
    const after = await episodic.recall({ text: 'gazelle', first: 5 }, alice);
    expect(after.every((h) => h.item.tenant === 'alice')).toBe(true);
    expect(after.filter((h) => h.vectorRank !== undefined)).toHaveLength(3);
    const exported = await episodic.exportPage(undefined, 10, alice);
    expect(exported.map((e) => e.vector.length)).toEqual([48, 48, 48]);
    // The media vector written during the re-embed came through the cutover.
    expect([...exported.find((e) => e.imageVector)!.imageVector!]).toEqual([...imageVector]);
    await stack.close();

    // The cutover is on disk: a restart opens in the new space.
    const again = await openMemory(dir, otherEmbedder('wider'));
    expect(again.episodic.vectorSpace.degraded).toBe(false);
    expect((await again.episodic.recall({ text: 'sunny lisbon', first: 1 }, alice))[0]!.vectorRank).toBe(1);
  });

  it('re-embeds into a model of the same width; a text revised while its batch embeds keeps its new vector', async () => {
    const dir = tempDir('reembed');
    await writeGazelles(dir);
    const stack = await openMemory(dir, otherEmbedder('same-width'));
    const { episodic, embedder } = stack;
    expect(await episodic.vectorSpace.status()).toMatchObject({
      state: 'reembedding',
      dims: 32,
      remaining: 3,
    });
    const [lisbon] = await episodic.browse({ sessionId: 's' }, 1, undefined, true, alice);
    // The revision lands after the re-embed read the old words and before it stores their vector.
    const embed = embedder.embed.bind(embedder);
    let revisedInStep = false;
    jest.spyOn(embedder, 'embed').mockImplementation(async (texts: string[]) => {
      const vectors = await embed(texts);
      if (!revisedInStep && texts.includes('the weather in lisbon is sunny')) {
        revisedInStep = true;
        await episodic.revise(lisbon!.id, { text: 'the weather in porto is rainy' }, alice);
      }
      return vectors;
    });
    expect(await episodic.vectorSpace.step(10)).toBe(3);
    expect(revisedInStep).toBe(true);
    jest.restoreAllMocks();
    await reembedAll(stack, 2);
    const hits = await episodic.recall({ text: 'rainy porto', first: 1 }, alice);
    expect(hits[0]).toMatchObject({ item: { text: 'the weather in porto is rainy' }, vectorRank: 1 });
  });

  it('finishes a cutover that a crash cut short, at the next open', async () => {
    const dir = tempDir('reembed');
    await writeGazelles(dir);
    const stack = await openMemory(dir, otherEmbedder('wider'));
    expect(await stack.episodic.vectorSpace.step(100)).toBe(3); // every row re-embedded, no cutover yet
    await stack.close();
    // The crash: the old columns dropped, the new ones not renamed yet.
    const db = await lancedb.connect(stack.config.memory.episodic.dir);
    const table = await db.openTable('episodes');
    await table.dropColumns(['vector', 'vector_space', 'image_vector', 'audio_vector', 'fused_vector']);
    table.close();
    db.close();

    const reopened = await openMemory(dir, otherEmbedder('wider'));
    expect(await reopened.episodic.vectorSpace.status()).toMatchObject({
      state: 'current',
      total: 3,
      dims: 48,
    });
    const hits = await reopened.episodic.recall({ text: 'green gazelle bicycle', first: 1 }, alice);
    expect(hits[0]).toMatchObject({ item: { text: 'my bicycle is a green gazelle' }, vectorRank: 1 });
  });

  it('adopts a table from before vector spaces when its model is the configured one, else re-embeds it', async () => {
    const adopted = tempDir('reembed');
    await writeLegacyTable(adopted, 'tiny-bert:32');
    const same = await openMemory(adopted);
    expect(await same.episodic.vectorSpace.status()).toMatchObject({ state: 'current', total: 2 });
    expect((await same.episodic.recall({ text: 'old words', first: 1 }, alice))[0]!.vectorRank).toBe(1);

    const foreign = tempDir('reembed');
    await writeLegacyTable(foreign, 'some-other-model:32');
    const other = await openMemory(foreign);
    expect(await other.episodic.vectorSpace.status()).toMatchObject({ state: 'reembedding', remaining: 2 });
  });
});

/** An episodes table as versions before vector spaces wrote it: the embedder in the schema's metadata only. */
async function writeLegacyTable(dataDir: string, embedderTag: string): Promise<void> {
  const { embedder } = await openMemory(tempDir('reembed')); // only its embedder is used
  const texts = ['old words from before', 'more old words'];
  const vectors = await embedder.embed(texts);
  const list = (t: Utf8 | Float32) => new List(new Field('item', t, true));
  const schema = new Schema(
    [
      ...['id', 'tenant', 'session_id', 'role', 'text', 'summary', 'modality'].map(
        (name) => new Field(name, new Utf8(), false),
      ),
      new Field('created_at', new Float64(), false),
      new Field('importance', new Float32(), false),
      new Field('access_count', new Int32(), false),
      new Field('last_access_at', new Float64(), false),
      new Field('media', list(new Utf8()), false),
      new Field('vector', new FixedSizeList(32, new Field('item', new Float32(), true)), false),
    ],
    new Map([['mneme.embedder', embedderTag]]),
  );
  const db = await lancedb.connect(path.join(dataDir, 'episodic'));
  const rows = texts.map((text, i) => ({
    id: `old-${i}`,
    tenant: 'alice',
    session_id: 'old',
    role: 'user',
    text,
    summary: text,
    modality: 'text',
    created_at: 1_700_000_000_000 + i,
    importance: 0.5,
    access_count: 0,
    last_access_at: 0,
    media: [],
    vector: Array.from(vectors[i]!),
  }));
  const table = await db.createTable('episodes', rows, { schema });
  table.close();
  db.close();
}
