import type { CallContext } from '../../src/common/call-context.js';
import { SUMMARY_ROLE, type EpisodeRecord } from '../../src/modules/memory/episodic/episode.record.js';
import type { MemoryEvent } from '../../src/modules/memory/memory-events.js';
import { MESSAGE_OVERHEAD } from '../../src/modules/memory/working/token-window.js';
import { ctxOf, memoryStack } from '../support/memory-stack.js';

// Working → episodic consolidation on the real stack: the tiny GGUF writes the summaries (noise, but real
// generation under the real token cap), LanceDB in a temp dir keeps them, the in-process store holds the window.

const alice = ctxOf('alice');
const bob = ctxOf('bob');
const WINDOW_TOKENS = 240; // two exchanges of the tiny model's tokenizer (a question is ~85 tokens)
const stack = memoryStack({
  env: {
    MNEME_WORKING_MEMORY_TOKENS: String(WINDOW_TOKENS),
    MNEME_SUMMARY_MIN_TOKENS: '40',
    MNEME_SUMMARY_INPUT_TOKENS: '400',
  },
});
const { engine, events, episodic, working, summarizer, memory, forgetting } = stack;
const neverStop = () => false;

const QUESTIONS = [
  'My sister Clara moved to Turin in March and now works at the Egyptian Museum there.',
  'We are planning to visit her in the second week of October, probably by the night train.',
  'I prefer window seats, and my partner Marco is allergic to cats, so no cat-friendly hotels.',
  'Our budget for the whole trip is about nine hundred euros including the train tickets.',
  'Clara recommended a trattoria called Da Mauro near Piazza Vittorio for the first evening.',
  'Remind me later that Marco needs his passport renewed before the end of September.',
];

async function talk(sessionId: string, ctx: CallContext, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) {
    const { warnings } = await memory.rememberExchange(
      { sessionId, question: QUESTIONS[i]!, answer: `Noted, point ${i + 1}.`, extract: false },
      ctx,
    );
    expect(warnings).toEqual([]);
  }
}

const tokensOf = async (texts: string[]) =>
  (await Promise.all(texts.map((t) => engine.countTokens(t)))).reduce((a, b) => a + b, 0);

beforeAll(() => stack.open());

describe('session summaries (working → episodic)', () => {
  const seen: MemoryEvent[] = [];
  let first: EpisodeRecord;
  let second: EpisodeRecord;

  beforeAll(() => {
    void (async () => {
      for await (const event of events.subscribe('alice')) seen.push(event);
    })();
  });

  it('writes nothing while the session still fits its window', async () => {
    await talk('trip', alice, 0, 1);
    expect(summarizer.pendingFor('alice')).toBe(1);
    expect(await summarizer.runOnce(neverStop, alice.signal)).toBe(0);
    expect(await episodic.latestSummary('trip', alice)).toBeUndefined();
  });

  it('summarizes the overflowed turns in at most half their tokens, citing them; the originals stay', async () => {
    await talk('trip', alice, 1, 4);
    expect(await summarizer.runOnce(neverStop, alice.signal)).toBe(1);
    first = (await episodic.latestSummary('trip', alice))!;
    expect(first.role).toBe(SUMMARY_ROLE);
    const window = await working.window('trip', WINDOW_TOKENS, alice, MESSAGE_OVERHEAD);
    expect(window[0]!.seq).toBeGreaterThan(1);
    const originals = await episodic.get(first.sources, alice);
    expect(originals.map((o) => o.id).sort()).toEqual([...first.sources].sort());
    // Exactly the turns older than the window: none of the window's, all of the others.
    const windowIds = new Set(window.map((t) => t.id));
    expect(first.sources.some((id) => windowIds.has(id))).toBe(false);
    expect(originals.every((o) => o.createdAt < window[0]!.createdAt)).toBe(true);
    expect(originals.length).toBe(window[0]!.seq - 1);
    expect(await engine.countTokens(first.text)).toBeLessThanOrEqual(
      Math.floor((await tokensOf(originals.map((o) => o.text))) / 2),
    );
    expect(originals.map((o) => o.text)).toContain(QUESTIONS[0]);
    expect(first.createdAt).toBe(Math.max(...originals.map((o) => o.createdAt)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toContainEqual(
      expect.objectContaining({ kind: 'session-summarized', episodeId: first.id, sessionId: 'trip' }),
    );
  });

  it('does not summarize the same turns twice; newer overflow rolls the previous summary in', async () => {
    summarizer.note('trip', alice);
    expect(await summarizer.runOnce(neverStop, alice.signal)).toBe(0);
    await talk('trip', alice, 4, 6);
    expect(await summarizer.runOnce(neverStop, alice.signal)).toBe(1);
    second = (await episodic.latestSummary('trip', alice))!;
    expect(second.id).not.toBe(first.id);
    expect(second.sources[0]).toBe(first.id);
    const newer = second.sources.slice(1);
    expect(newer.length).toBeGreaterThan(0);
    expect(newer.some((id) => first.sources.includes(id))).toBe(false);
    const inputs = await tokensOf([first.text, ...(await episodic.get(newer, alice)).map((e) => e.text)]);
    expect(await engine.countTokens(second.text)).toBeLessThanOrEqual(Math.floor(inputs / 2));
  });

  it('puts the latest summary before the window in the prompt, and not among recalled episodes', async () => {
    const depth = { tiers: ['working', 'episodic'] as const, recallItems: 10, neighborhoodHops: 0 };
    const prompt = await memory.forPrompt('What did Clara recommend?', 'trip', 1500, depth, alice);
    expect(prompt.summary).toEqual(expect.objectContaining({ id: second.id, text: second.text }));
    expect(prompt.turns[0]!.seq).toBeGreaterThan(1);
    expect(prompt.episodes.map((e) => e.id)).not.toContain(second.id);
  });

  it("keeps tenants apart: bob's session of the same name has no summary and cannot reach alice's", async () => {
    await talk('trip', bob, 0, 1);
    expect(await summarizer.runOnce(neverStop, bob.signal)).toBe(0);
    expect(await episodic.latestSummary('trip', bob)).toBeUndefined();
    expect(await episodic.get([first.id, second.id], bob)).toEqual([]);
    await expect(forgetting.forget({ episodeId: first.id }, bob)).rejects.toThrow(/No episode/);
    expect(await episodic.get([first.id], alice)).toHaveLength(1);
  });

  it('forgetting an original forgets every summary that retells it, and only those', async () => {
    const original = first.sources[0]!;
    const counts = await forgetting.forget({ episodeId: original }, alice);
    expect(counts.episodic).toBe(3); // the turn, the summary of it, and the summary of that summary
    expect(await episodic.get([original, first.id, second.id], alice)).toEqual([]);
    const rest = await episodic.get(first.sources.slice(1), alice);
    expect(rest).toHaveLength(first.sources.length - 1);
    expect(await episodic.latestSummary('trip', alice)).toBeUndefined();
  });

  it('re-summarizes what is left after a forget on the next pass', async () => {
    summarizer.note('trip', alice);
    expect(await summarizer.runOnce(neverStop, alice.signal)).toBe(1);
    const again = (await episodic.latestSummary('trip', alice))!;
    expect(again.sources).not.toContain(first.sources[0]);
    expect(again.sources.length).toBeGreaterThan(0);
  });
});
