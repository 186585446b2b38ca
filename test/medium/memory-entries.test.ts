import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
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
    entries = new MemoryEntries(stack.episodic, stack.working, stack.engine, stack.config);
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
    expect(await stack.episodic.list('s-refused', 10, undefined, alice)).toEqual([]);
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
});
