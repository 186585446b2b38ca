import { spawn } from 'node:child_process';
import { generateToEnd } from '../../src/engines/llm/llm-engine.js';
import {
  EXTRACTION_SCHEMA,
  extractionMessages,
  parseExtraction,
} from '../../src/modules/memory/consolidation/fact-extraction.js';
import { CONSOLIDATION } from '../../src/modules/memory/episodic/episode.record.js';
import { buildForChildren } from '../support/build-for-children.js';
import { ctxOf, memoryStack, tempDir } from '../support/memory-stack.js';

const alice = ctxOf('alice');
const main = memoryStack();
const { config, engine, embedder, episodic, semantic, events, consolidation: worker } = main;

beforeAll(() => main.open());

const factCount = async () => (await semantic.forgetEpisodes([], alice)).facts;

describe('consolidation: episodic → semantic', () => {
  it('gets schema-valid JSON from the tiny GGUF under the extraction grammar (content is noise)', async () => {
    for (const text of ['I moved to Paris last year.', 'My sister Mary works at the hospital.']) {
      const result = await generateToEnd(
        engine,
        {
          messages: extractionMessages(text),
          jsonSchema: EXTRACTION_SCHEMA,
          maxTokens: 1024,
          temperature: 0,
        },
        alice,
      );
      expect(() => parseExtraction(result.text)).not.toThrow();
      expect(result.finishReason).toBe('stop'); // the grammar closed the JSON before the token limit
    }
  });

  it('extracts the queued episodes once, with provenance, and survives a crash between learning and marking', async () => {
    const [queued, skipped, other] = await episodic.remember(
      [
        { sessionId: 's', role: 'user', text: 'Ada lives in London and knows Charles.', extract: true },
        { sessionId: 's', role: 'user', text: 'This one came on the fast path.', extract: false },
        { sessionId: 's', role: 'user', text: 'Charles works at the Royal Society.', extract: true },
      ],
      alice,
    );
    expect(await worker.pending(alice)).toBe(2);
    const heard = events.subscribe('alice');
    expect(await worker.runOnce()).toBe(2);
    const first = await heard.next();
    expect(first.value).toMatchObject({ kind: 'episode-consolidated', episodeId: queued!.id, facts: 0 });
    await heard.return!();
    expect(events.count('alice')).toBe(0);
    expect(await worker.pending(alice)).toBe(0);
    expect(worker.status()).toMatchObject({ running: false, processed: 2, failures: 0 });
    const [doneQueued, doneSkipped, doneOther] = await episodic
      .get([queued!.id, skipped!.id, other!.id], alice)
      .then((rows) => [queued!, skipped!, other!].map((e) => rows.find((r) => r.id === e.id)!));
    expect(doneQueued!.consolidation).toBeGreaterThan(0);
    expect(doneOther!.consolidation).toBeGreaterThan(0);
    expect(doneSkipped!.consolidation).toBe(CONSOLIDATION.SKIPPED);

    // A worker killed after learning an episode's facts but before marking it: the episode is pending again.
    // (The noise fixture model extracts no facts under the grammar — it closes the array at once — so that
    // re-learning the same fact from the same episode reinforces it is asserted by the semantic contract tests.)
    const before = await factCount();
    await episodic.markConsolidation('alice', [queued!.id], CONSOLIDATION.PENDING);
    expect(await worker.runOnce()).toBe(1);
    expect(await factCount()).toBe(before); // re-learned facts reinforce, never duplicate
    expect(await worker.pending(alice)).toBe(0);
  });
});

describe('decay', () => {
  const DAY = 24 * 3600 * 1000;

  const memoryWith = (action: 'archive' | 'forget') =>
    memoryStack({
      env: {
        MNEME_DECAY_ACTION: action,
        MNEME_DECAY_HALF_LIFE_DAYS: '1',
        MNEME_DECAY_THRESHOLD: '0.05',
      },
      embedder,
      engine,
    }).open();

  it('archives episodes whose importance × recency × use decayed: recall skips them, listing keeps them', async () => {
    const { episodic: mem, consolidation: decayer, close } = await memoryWith('archive');
    try {
      const [old, fresh] = await mem.remember(
        [
          {
            sessionId: 'd',
            role: 'user',
            text: 'the old harbour story',
            importance: 0.5,
            createdAt: Date.now() - 30 * DAY,
          },
          { sessionId: 'd', role: 'user', text: 'the new harbour story', importance: 0.5 },
        ],
        alice,
      );
      expect(await decayer.decay()).toBe(1);
      const hits = await mem.recall({ text: 'harbour story', first: 5 }, alice);
      expect(hits.map((h) => h.item.id)).toEqual([fresh!.id]);
      const [archived] = await mem.get([old!.id], alice);
      expect(archived!.archivedAt).toBeGreaterThan(0);
      expect(await decayer.decay()).toBe(0); // archived once
    } finally {
      await close();
    }
  });

  it('forgets them when configured, with the facts only they had taught', async () => {
    const { episodic: mem, semantic: graph, consolidation: decayer, close } = await memoryWith('forget');
    try {
      const [old] = await mem.remember(
        [
          {
            sessionId: 'd',
            role: 'user',
            text: 'Ada once lived in Turin.',
            importance: 0.3,
            createdAt: Date.now() - 60 * DAY,
          },
        ],
        alice,
      );
      await graph.learn(
        { subject: 'Ada', predicate: 'lived in', object: 'Turin', episodes: [old!.id] },
        alice,
      );
      expect(await decayer.decay()).toBe(1);
      expect(await mem.get([old!.id], alice)).toEqual([]);
      expect(await graph.entity('Turin', alice)).toBeUndefined();
    } finally {
      await close();
    }
  });
});

describe('consolidation: kill and resume', () => {
  let srcDir: string;
  beforeAll(() => {
    srcDir = buildForChildren();
  }, 120_000);

  it('a worker killed mid-run loses and repeats nothing: the next one finishes exactly what was left', async () => {
    const dir = tempDir('consolidation-kill');
    const writer = await memoryStack({ only: 'episodic', dataDir: dir, embedder }).open();
    const queued = await writer.episodic.remember(
      Array.from({ length: 12 }, (_, i) => ({
        sessionId: 'k',
        role: 'user',
        text: `Note ${i}: Person${i} lives in City${i}.`,
        extract: true,
      })),
      alice,
    );
    await writer.close();

    const child = spawn(
      process.execPath,
      ['test/medium/children/consolidation-worker.mjs', srcDir, dir, config.llm.model!],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const done: string[] = [];
    let buffer = '';
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      child.stdout.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) if (line.startsWith('done ')) done.push(line.slice(5));
        if (done.length >= 3) resolve();
      });
    });
    child.removeAllListeners('exit');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // Both stores reopen after the kill; what was reported done stays done, the rest is still queued.
    const reopened = await memoryStack({ dataDir: dir, embedder, engine }).open();
    const { episodic: mem, semantic: graph, consolidation: resumed } = reopened;
    try {
      const rows = await mem.get(
        queued.map((e) => e.id),
        alice,
      );
      const finished = rows.filter((e) => e.consolidation > 0).map((e) => e.id);
      expect(finished).toEqual(expect.arrayContaining(done));
      const left = rows.length - finished.length;
      expect(await mem.pendingCount(alice)).toBe(left);
      const factsBefore = (await graph.forgetEpisodes([], alice)).facts;
      let total = 0;
      for (let n = await resumed.runOnce(); n > 0; n = await resumed.runOnce()) total += n;
      expect(total).toBe(left); // exactly what was left, nothing twice
      expect(await mem.pendingCount(alice)).toBe(0);
      expect(resumed.status().failures).toBe(0);
      expect((await graph.forgetEpisodes([], alice)).facts).toBeGreaterThanOrEqual(factsBefore);
    } finally {
      await reopened.close();
    }
  }, 120_000);
});
