import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../../src/common/error-codes.js';
import type { EpisodicMemoryService } from '../../src/modules/memory/episodic/episodic-memory.service.js';
import { LanceEpisodeTable } from '../../src/modules/memory/episodic/lancedb-episode.table.js';
import { buildForChildren } from '../support/build-for-children.js';
import { closeStacks, ctxOf, memoryStack, tempDir } from '../support/memory-stack.js';

const alice = ctxOf('alice');
const bob = ctxOf('bob');

/** Episodic memory on its own embedder, in a fresh data directory unless one is given; closed after each test. */
const openMemory = (dataDir?: string, env?: Record<string, string>) =>
  memoryStack({ only: 'episodic', dataDir, env }).open();
afterEach(closeStacks);

describe('episodic memory on LanceDB', () => {
  it('stores episodes with embeddings of the model width, importance and a summary', async () => {
    const { episodic, embedder } = await openMemory();
    const [stored] = await episodic.remember(
      [{ sessionId: 's1', role: 'user', text: 'Please remember that my locker code is 4711' }],
      alice,
    );
    const { dims } = await embedder.identity();
    expect(stored!.vector).toHaveLength(dims);
    const norm = Math.hypot(...stored!.vector);
    expect(norm).toBeCloseTo(1, 4);
    expect(stored!.importance).toBeGreaterThan(0.5); // an explicit "remember" cue
    expect(stored!.summary).toBe('Please remember that my locker code is 4711');
    const [listed] = await episodic.browse({ sessionId: 's1' }, 10, undefined, false, alice);
    expect(listed).toMatchObject({ id: stored!.id, role: 'user', sessionId: 's1', modality: 'text' });
  });

  it('recalls by words (full text) and by meaning (vector), fused, with ranks from both lists', async () => {
    const { episodic } = await openMemory();
    await episodic.remember(
      [
        { sessionId: 's1', role: 'user', text: 'my bicycle is a green gazelle' },
        { sessionId: 's1', role: 'assistant', text: 'noted, a green bicycle' },
        { sessionId: 's2', role: 'user', text: 'the weather in lisbon is sunny' },
      ],
      alice,
    );
    const hits = await episodic.recall({ text: 'gazelle', first: 3 }, alice);
    expect(hits[0]!.item.text).toBe('my bicycle is a green gazelle');
    expect(hits[0]!.textRank).toBe(1);
    expect(hits[0]!.vectorRank).toBeDefined();
    expect(hits.length).toBeLessThanOrEqual(3);
    const scores = hits.map((h) => h.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('filters recall by session, time range and modality', async () => {
    const { episodic } = await openMemory();
    const t0 = Date.now() - 10_000;
    await episodic.remember(
      [
        { sessionId: 'a', role: 'user', text: 'kiwi one', createdAt: t0 },
        { sessionId: 'b', role: 'user', text: 'kiwi two', createdAt: t0 + 5000 },
        { sessionId: 'b', role: 'user', text: 'kiwi three', createdAt: t0 + 6000, modality: 'image' },
      ],
      alice,
    );
    const texts = async (q: Parameters<EpisodicMemoryService['recall']>[0]) =>
      (await episodic.recall(q, alice)).map((h) => h.item.text).sort();
    expect(await texts({ text: 'kiwi', first: 10, sessionId: 'a' })).toEqual(['kiwi one']);
    expect(await texts({ text: 'kiwi', first: 10, from: t0 + 1000 })).toEqual(['kiwi three', 'kiwi two']);
    expect(await texts({ text: 'kiwi', first: 10, to: t0 + 1000 })).toEqual(['kiwi one']);
    expect(await texts({ text: 'kiwi', first: 10, modality: 'image' })).toEqual(['kiwi three']);
  });

  it('walls tenants off: no query returns another tenant’s episode', async () => {
    const { episodic } = await openMemory();
    const [secret] = await episodic.remember(
      [{ sessionId: 's', role: 'user', text: 'alice secret zebra' }],
      alice,
    );
    await episodic.remember([{ sessionId: 's', role: 'user', text: 'bob owns a zebra too' }], bob);
    const bobs = await episodic.recall({ text: 'alice secret zebra', first: 50 }, bob);
    expect(bobs.map((h) => h.item.tenant)).toEqual(['bob']);
    expect(await episodic.browse({ sessionId: 's' }, 50, undefined, false, bob)).toHaveLength(1);
    expect(await episodic.get([secret!.id], bob)).toEqual([]);
    expect(await episodic.forget({ id: secret!.id }, bob)).toBe(0);
    expect(await episodic.forget({ everything: true }, bob)).toBe(1);
    expect((await episodic.get([secret!.id], alice)).map((e) => e.text)).toEqual(['alice secret zebra']);
  });

  it('escapes filter values: a quote in a session id is data, not SQL', async () => {
    const { episodic } = await openMemory();
    await episodic.remember([{ sessionId: 'x', role: 'user', text: 'kept' }], alice);
    expect(await episodic.browse({ sessionId: "x' OR '1'='1" }, 10, undefined, false, alice)).toEqual([]);
    expect(await episodic.browse({ sessionId: 'x' }, 10, undefined, false, alice)).toHaveLength(1);
  });

  it('refuses an empty or malformed id or session at the store, deleting nothing', async () => {
    const { episodic } = await openMemory();
    await episodic.remember([{ sessionId: 'x', role: 'user', text: 'kept' }], alice);
    for (const scope of [
      { id: '' },
      { sessionId: '' },
      { sessionId: "x' OR tenant <> 'nobody" },
      { id: ' ' },
    ]) {
      await expect(episodic.forget(scope, alice)).rejects.toMatchObject({ code: ErrorCode.BAD_REQUEST });
    }
    expect(await episodic.browse({ sessionId: 'x' }, 10, undefined, false, alice)).toHaveLength(1);
  });

  it('pages a session in time order with a keyset cursor', async () => {
    const { episodic } = await openMemory();
    const t0 = Date.now() - 100_000;
    await episodic.remember(
      Array.from({ length: 7 }, (_, i) => ({
        sessionId: 'p',
        role: 'user',
        text: `turn ${i}`,
        createdAt: t0 + (6 - i) * 10,
      })),
      alice,
    );
    const page1 = await episodic.browse({ sessionId: 'p' }, 3, undefined, false, alice);
    const last = page1[2]!;
    const page2 = await episodic.browse(
      { sessionId: 'p' },
      3,
      { createdAt: last.createdAt, id: last.id },
      false,
      alice,
    );
    const last2 = page2[2]!;
    const page3 = await episodic.browse(
      { sessionId: 'p' },
      3,
      { createdAt: last2.createdAt, id: last2.id },
      false,
      alice,
    );
    expect([...page1, ...page2, ...page3].map((e) => e.text)).toEqual([
      'turn 6',
      'turn 5',
      'turn 4',
      'turn 3',
      'turn 2',
      'turn 1',
      'turn 0',
    ]);
  });

  it('forgets one episode, a session or everything, and forgotten episodes never come back in recall', async () => {
    const { episodic } = await openMemory();
    const stored = await episodic.remember(
      [
        { sessionId: 's1', role: 'user', text: 'walnut alpha' },
        { sessionId: 's1', role: 'user', text: 'walnut beta' },
        { sessionId: 's2', role: 'user', text: 'walnut gamma' },
        { sessionId: 's3', role: 'user', text: 'walnut delta' },
      ],
      alice,
    );
    expect(await episodic.forget({ id: stored[0]!.id }, alice)).toBe(1);
    expect(await episodic.forget({ sessionId: 's2' }, alice)).toBe(1);
    const left = (await episodic.recall({ text: 'walnut', first: 10 }, alice)).map((h) => h.item.text).sort();
    expect(left).toEqual(['walnut beta', 'walnut delta']);
    expect(await episodic.forget({ everything: true }, alice)).toBe(2);
    expect(await episodic.recall({ text: 'walnut', first: 10 }, alice)).toEqual([]);
  });

  it('forget also takes writes still under way (embedding or queued) when it was called', async () => {
    const { episodic } = await openMemory();
    const pending = episodic.remember([{ sessionId: 'race', role: 'user', text: 'in flight' }], alice);
    const count = await episodic.forget({ sessionId: 'race' }, alice);
    await pending;
    expect(count).toBe(1);
    expect(await episodic.browse({ sessionId: 'race' }, 10, undefined, false, alice)).toEqual([]);
    expect(await episodic.recall({ text: 'in flight', first: 5 }, alice)).toEqual([]);
  });

  it('batches concurrent writes into fewer commits (table versions) than writes', async () => {
    const { episodic, config, embedder } = await openMemory();
    await episodic.remember([{ sessionId: 'w', role: 'user', text: 'first' }], alice);
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        episodic.remember([{ sessionId: 'w', role: 'user', text: `w${i}` }], alice),
      ),
    );
    expect(await episodic.browse({ sessionId: 'w' }, 100, undefined, false, alice)).toHaveLength(41);
    // Counted on the store itself, through a second handle on the same directory.
    const table = await LanceEpisodeTable.open(config.memory.episodic.dir, await embedder.identity());
    const versions = await table.versions();
    table.close();
    expect(versions).toBeLessThan(20);
  });

  it('keeps everything across a close and reopen, and compaction loses nothing', async () => {
    const dir = tempDir('episodic');
    const first = await openMemory(dir);
    await first.episodic.remember(
      Array.from({ length: 5 }, (_, i) => ({ sessionId: 'd', role: 'user', text: `durable ${i}` })),
      alice,
    );
    for (let i = 0; i < 5; i++)
      await first.episodic.remember([{ sessionId: 'd', role: 'user', text: `more ${i}` }], alice);
    await first.episodic.maintain();
    await first.close();
    const second = await openMemory(dir);
    expect(await second.episodic.browse({ sessionId: 'd' }, 100, undefined, false, alice)).toHaveLength(10);
    expect((await second.episodic.recall({ text: 'durable', first: 10 }, alice)).length).toBeGreaterThan(0);
  });

  it('answers STORE_UNAVAILABLE, not a crash, when its directory cannot be created', async () => {
    // A file where the data directory should be. (Not /proc: Node 20's recursive mkdir loops forever there.)
    const file = path.join(tempDir('episodic'), 'not-a-directory');
    writeFileSync(file, '');
    const { episodic } = await openMemory(file);
    await expect(
      episodic.remember([{ sessionId: 's', role: 'user', text: 'x' }], alice),
    ).rejects.toMatchObject({
      code: ErrorCode.STORE_UNAVAILABLE,
    });
  });
});

describe('episodic memory: crash safety of batched writes', () => {
  let srcDir: string;
  beforeAll(() => {
    srcDir = buildForChildren();
  }, 120_000);

  it('keeps every acknowledged episode when the writer is killed mid-batch', async () => {
    const dir = tempDir('episodic');
    const child = spawn(process.execPath, ['test/medium/children/episodic-writer.mjs', srcDir, dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: string[] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`writer exited early (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) if (line.startsWith('ack ')) acked.push(...line.slice(4).split(' '));
        if (acked.length >= 150) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    const reopened = await openMemory(dir);
    const stored = new Set(
      (await reopened.episodic.browse({ sessionId: 's' }, 100_000, undefined, false, alice)).map((e) => e.id),
    );
    const missing = acked.filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acked.length);
    // Still writable after the crash.
    await reopened.episodic.remember([{ sessionId: 's', role: 'user', text: 'after the crash' }], alice);
  }, 60_000);
});
