import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { LanceEpisodeTable } from '../../src/modules/memory/episodic/lancedb-episode.table.js';
import { MemoryEntries, type MemoryEntry } from '../../src/modules/memory/memory-entries.service.js';
import { InProcessWorkingMemoryStore } from '../../src/modules/memory/working/in-process-working-memory.store.js';
import { WindowRestorer } from '../../src/modules/memory/working/window-restorer.js';
import { WorkingMemoryService } from '../../src/modules/memory/working/working-memory.service.js';
import { memoryStack, type FullStack } from '../support/memory-stack.js';

// Memories written directly and windows brought back after a restart, on the real stores (LanceDB, the
// in-process working tier, the fixture model's tokenizer).

const ctxOf = (tenant: string): CallContext => ({
  tenant,
  signal: new AbortController().signal,
  trace: ROOT_CONTEXT,
});
const alice = ctxOf('alice');
const HOUR = 3_600_000;

describe('memory entries and window restores', () => {
  let stack: FullStack;
  let entries: MemoryEntries;
  beforeAll(async () => {
    stack = await memoryStack({
      env: {
        MNEME_CONSOLIDATION_INTERVAL_MS: '5000',
        MNEME_WORKING_MEMORY_TTL_SECONDS: '3600',
        MNEME_WORKING_MEMORY_MAX_TURNS: '4',
      },
    }).open();
    entries = new MemoryEntries(
      stack.episodic,
      stack.working,
      stack.semantic,
      stack.engine,
      stack.audit,
      stack.config,
    );
  });
  afterAll(() => stack.close());

  /** A new process: the same durable stores, an empty in-process working tier. */
  const restarted = () => {
    const working = new WorkingMemoryService(
      new InProcessWorkingMemoryStore(stack.config.memory.working),
      stack.config,
    );
    return { working, restorer: new WindowRestorer(stack.episodic, working, stack.engine, stack.config) };
  };

  it('stores a batch in order in one new session, queuing only what the user said for extraction', async () => {
    const stored = await entries.remember(
      [
        { text: 'I moved to Ghent in 2021.', role: 'user' },
        { text: 'Noted: Ghent since 2021.', role: 'assistant', importance: 0.2 },
      ],
      alice,
    );
    expect(stored.map((e) => e.text)).toEqual(['I moved to Ghent in 2021.', 'Noted: Ghent since 2021.']);
    expect(stored[1]!.sessionId).toBe(stored[0]!.sessionId);
    expect(stored[1]!.createdAt).toBeGreaterThan(stored[0]!.createdAt);
    expect(stored[1]!.importance).toBe(0.2);
    const pending = (await stack.episodic.pendingConsolidation(100)).map((e) => e.id);
    expect(pending).toContain(stored[0]!.id);
    expect(pending).not.toContain(stored[1]!.id);
    // Without a named session, nothing joins a window.
    expect(await stack.working.window(stored[0]!.sessionId, 10_000, alice)).toEqual([]);
  });

  it('adds to a named session’s window with real token counts', async () => {
    const [stored] = await entries.remember(
      [{ text: 'Call me Rui.', role: 'user', sessionId: 's-named' }],
      alice,
    );
    const window = await stack.working.window('s-named', 10_000, alice);
    expect(window).toEqual([expect.objectContaining({ id: stored!.id, text: 'Call me Rui.', role: 'user' })]);
    expect(window[0]!.tokens).toBe(await stack.engine.countTokens('Call me Rui.'));
  });

  it('refuses a date in the future and stores none of the batch', async () => {
    const later = Date.now() + 2 * HOUR;
    await expect(
      entries.remember(
        [
          { text: 'fine', role: 'user', sessionId: 's-refused' },
          { text: 'from the future', role: 'user', sessionId: 's-refused', createdAt: later },
        ],
        alice,
      ),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/inputs\.1\.createdAt/) });
    expect(await stack.episodic.browse({ sessionId: 's-refused' }, 10, undefined, false, alice)).toEqual([]);
  });

  it('reads one episode by id within the tenant only', async () => {
    const [stored] = await entries.remember([{ text: 'Only for alice.', role: 'user' }], alice);
    expect((await entries.episode(stored!.id, alice)).text).toBe('Only for alice.');
    await expect(entries.episode(stored!.id, ctxOf('bob'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(entries.episode('', alice)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('brings back a session’s newest turns after a restart, once, in order', async () => {
    const now = Date.now();
    const turns: MemoryEntry[] = Array.from({ length: 6 }, (_, i) => ({
      text: `turn ${i}`,
      role: i % 2 ? 'assistant' : 'user',
      sessionId: 's-restored',
      createdAt: now - 2 * HOUR + i * 60_000, // the first ones are older than the TTL: the last one decides
    }));
    turns[5]!.createdAt = now - 1000;
    await entries.remember(turns, alice);
    const { working, restorer } = restarted();
    expect(await working.window('s-restored', 10_000, alice)).toEqual([]);
    expect(await restorer.restore('s-restored', alice)).toBe(true);
    const window = await working.window('s-restored', 10_000, alice);
    expect(window.map((t) => t.text)).toEqual(['turn 2', 'turn 3', 'turn 4', 'turn 5']); // max turns: 4
    expect(await restorer.restore('s-restored', alice)).toBe(false);
    expect(await working.window('s-restored', 10_000, alice)).toHaveLength(4);
  });

  it('leaves an expired window, another tenant’s session and a new session empty', async () => {
    await entries.remember(
      [{ text: 'long ago', role: 'user', sessionId: 's-expired', createdAt: Date.now() - 2 * HOUR }],
      alice,
    );
    const { working, restorer } = restarted();
    expect(await restorer.restore('s-expired', alice)).toBe(false);
    expect(await restorer.restore('s-restored', ctxOf('bob'))).toBe(false);
    expect(await restorer.restore('s-never-used', alice)).toBe(false);
    expect(await working.window('s-restored', 10_000, ctxOf('bob'))).toEqual([]);
  });

  it('lists sessions most recently active first, with turn counts and span, and pages through them', async () => {
    const carol = ctxOf('carol');
    const t0 = Date.UTC(2026, 0, 1);
    const at = (minutes: number) => t0 + minutes * 60_000;
    await entries.remember(
      [
        { text: 'hello', role: 'user', sessionId: 'old', createdAt: at(0) },
        { text: 'hi', role: 'assistant', sessionId: 'old', createdAt: at(1) },
        { text: 'plan the trip', role: 'user', sessionId: 'trip', createdAt: at(10) },
        { text: 'a late note', role: 'user', sessionId: 'old', createdAt: at(20) },
        { text: 'newest', role: 'user', sessionId: 'new', createdAt: at(30) },
      ],
      carol,
    );
    const first = await entries.sessions(2, undefined, carol);
    expect(first.page.map((s) => [s.id, s.turns, s.firstAt, s.lastAt])).toEqual([
      ['new', 1, at(30), at(30)],
      ['old', 3, at(0), at(20)],
    ]);
    expect(first.more).toBe(true);
    const rest = await entries.sessions(2, first.page[1], carol);
    expect(rest).toEqual({ page: [expect.objectContaining({ id: 'trip', summary: null })], more: false });
    // Another tenant sees none of them; a forgotten session leaves the list.
    expect((await entries.sessions(10, undefined, ctxOf('dave'))).page).toEqual([]);
    await stack.forgetting.forget({ sessionId: 'trip' }, carol);
    expect((await entries.sessions(10, undefined, carol)).page.map((s) => s.id)).toEqual(['new', 'old']);
  });

  it('browses episodes across sessions newest first, by time span and modality, or one session oldest first', async () => {
    const erin = ctxOf('erin');
    const t0 = Date.UTC(2026, 1, 1);
    await entries.remember(
      Array.from({ length: 5 }, (_, i) => ({
        text: `note ${i}`,
        role: 'user' as const,
        sessionId: `s${i % 2}`,
        createdAt: t0 + i * 1000,
      })),
      erin,
    );
    const texts = (rows: { text: string }[]) => rows.map((r) => r.text);
    expect(texts(await entries.episodes({}, 10, undefined, erin))).toEqual([
      'note 4',
      'note 3',
      'note 2',
      'note 1',
      'note 0',
    ]);
    const page = await entries.episodes({}, 2, undefined, erin);
    const next = await entries.episodes({}, 2, page[1], erin);
    expect(texts(next)).toEqual(['note 2', 'note 1']);
    expect(texts(await entries.episodes({ from: t0 + 1000, to: t0 + 3000 }, 10, undefined, erin))).toEqual([
      'note 2',
      'note 1',
    ]);
    expect(texts(await entries.episodes({ sessionId: 's0' }, 10, undefined, erin))).toEqual([
      'note 0',
      'note 2',
      'note 4',
    ]);
    expect(await entries.episodes({ modality: 'image' }, 10, undefined, erin)).toEqual([]);
    await expect(entries.episodes({ from: t0, to: t0 }, 10, undefined, erin)).rejects.toThrow(/before/);
    expect(await entries.episodes({}, 10, undefined, ctxOf('frank'))).toEqual([]);
  });

  it('updates an episode: re-embedded, its old facts dropped and queued again, its turn rewritten, audited', async () => {
    const gina = ctxOf('gina');
    const [note, ...others] = await entries.remember(
      [
        { text: 'My phone number is 555-0100.', role: 'user', sessionId: 's-edit' },
        { text: 'The garage door code is 9021.', role: 'user', sessionId: 's-edit' },
        { text: 'Buy oat milk on Friday.', role: 'user', sessionId: 's-edit' },
      ],
      gina,
    );
    await stack.episodic.markConsolidation('gina', [note!.id], Date.now());
    const [retelling] = await stack.episodic.remember(
      [
        {
          sessionId: 's-edit',
          role: 'summary',
          text: 'Gina gave 555-0100 as her number.',
          sources: [note!.id],
        },
      ],
      gina,
    );
    const taught = await stack.semantic.learn(
      { subject: 'Gina', predicate: 'phone number', object: '555-0100', episodes: [note!.id] },
      gina,
    );
    const text = 'Call me on the landline from now on, not the mobile.';
    const updated = await entries.update(note!.id, { text, importance: 0.7 }, gina);
    expect(updated).toMatchObject({ id: note!.id, text, summary: text, importance: expect.closeTo(0.7, 5) });
    // Stored with the new words' embedding.
    const [expected] = await stack.embedder.embed([text]);
    const table = await LanceEpisodeTable.open(
      stack.config.memory.episodic.dir,
      await stack.embedder.identity(),
    );
    const [row] = await table.list({ tenant: 'gina', ids: [note!.id] }, undefined, 1, false, true);
    table.close();
    expect([...row!.vector].map((x) => x.toFixed(5))).toEqual([...expected!].map((x) => x.toFixed(5)));
    expect(await stack.semantic.facts(taught.fact.subjectId, {}, 10, gina)).toEqual([]);
    expect((await stack.episodic.pendingConsolidation(1000)).map((e) => e.id)).toContain(note!.id);
    const window = await stack.working.window('s-edit', 10_000, gina);
    expect(window.map((t) => t.text)).toEqual([text, ...others.map((o) => o.text)]);
    const [entry] = await stack.audit.list(5, undefined, gina);
    expect(entry).toMatchObject({ action: 'update-episode', target: note!.id, episodes: 2, facts: 1 });
    // The summary that retold the old number is gone with it.
    expect(await stack.episodic.get([retelling!.id], gina)).toEqual([]);
    // Another tenant cannot touch it; an update that changes nothing is refused.
    await expect(entries.update(note!.id, { text: 'hijacked' }, ctxOf('hank'))).rejects.toThrow(/No episode/);
    await expect(entries.update(note!.id, {}, gina)).rejects.toThrow(/needs a new text or importance/);
    expect((await entries.episode(note!.id, gina)).text).toBe(text);
  });
});
