import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PromptCache, type CacheableSequence } from './prompt-cache.js';
import { StateStore } from './state-store.js';

/** A sequence that "evaluates" by remembering tokens; states are its tokens as JSON. */
class ListSequence implements CacheableSequence {
  held: number[] = [];
  saves = 0;
  restores = 0;
  tokens(): readonly number[] {
    return this.held;
  }
  keepOnly(count: number): Promise<void> {
    this.held = this.held.slice(0, count);
    return Promise.resolve();
  }
  save(file: string): Promise<number> {
    this.saves++;
    writeFileSync(file, JSON.stringify(this.held));
    return Promise.resolve(readFileSync(file).length);
  }
  restore(file: string): Promise<void> {
    this.restores++;
    this.held = JSON.parse(readFileSync(file, 'utf8')) as number[];
    return Promise.resolve();
  }
  prefill(tokens: readonly number[]): Promise<void> {
    this.held = [...this.held, ...tokens];
    return Promise.resolve();
  }
  /** What generation does: evaluates the prompt past what is held, then appends the answer. */
  run(prompt: readonly number[], answer: readonly number[]): void {
    this.held = [...prompt, ...answer];
  }
}

const SYSTEM = range(0, 20);
const alice = { tenant: 'alice', sessionId: 's1' };
let dir: string;

beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-prompt-cache-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

async function cacheOf(sequences: ListSequence[], diskBytes = 10_000_000, enabled = true) {
  const store = new StateStore(dir, 'model-a', diskBytes);
  await store.open();
  return new PromptCache(sequences, SYSTEM, store, enabled);
}

/** One turn: lease, "generate", release; answers what was reused. */
async function turn(
  cache: PromptCache<ListSequence>,
  prompt: number[],
  owner: { tenant: string; sessionId?: string },
) {
  const lease = await cache.lease(prompt, owner);
  lease.sequence.run(prompt, [9000, 9001]);
  await cache.release(lease.sequence);
  return lease;
}

describe('PromptCache', () => {
  it('warms a session’s sequence with its prompt’s start; the next lease counts that work as the request’s', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    const first = [...SYSTEM, ...range(100, 140)];
    await turn(cache, first, alice);
    const start = [...first, 9000, 9001, ...range(200, 230)];
    await cache.warm(start, alice);
    expect(sequence.held).toEqual(start);
    const lease = await cache.lease([...start, ...range(300, 310)], alice);
    expect(lease.cachedTokens).toBe(start.length);
    // Only what the earlier turn left behind was a cache hit; the warmed 30 were evaluated for this request.
    expect(lease.prefilledTokens).toBe(30);
    await cache.release(lease.sequence);
  });

  it('does not count another session’s warming as this request’s work, nor warm with the cache off', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    await cache.warm([...SYSTEM, ...range(100, 140)], alice);
    const lease = await cache.lease([...SYSTEM, ...range(500, 520)], { tenant: 'alice', sessionId: 's2' });
    expect(lease.prefilledTokens).toBe(0);
    await cache.release(lease.sequence);
    const off = await cacheOf([new ListSequence()], 0, false);
    await off.warm([...SYSTEM, 1, 2, 3], alice);
    expect((await off.lease([...SYSTEM, 1, 2, 3, 4], alice)).cachedTokens).toBe(0);
  });

  it('reuses the longest prefix the sequence holds, never the last prompt token', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    const first = [...SYSTEM, ...range(100, 150)];
    expect((await turn(cache, first, alice)).cachedTokens).toBe(0);
    const second = [...first, 9000, 9001, ...range(200, 230)];
    expect((await turn(cache, second, alice)).cachedTokens).toBe(first.length + 2);
    expect((await turn(cache, second, alice)).cachedTokens).toBe(second.length - 1);
  });

  it('sends a request to its session’s sequence, else to a vacant one, else to the least recently used', async () => {
    const [a, b] = [new ListSequence(), new ListSequence()];
    const cache = await cacheOf([a, b]);
    const bob = { tenant: 'alice', sessionId: 's2' };
    const one = [...SYSTEM, ...range(100, 140)];
    const two = [...SYSTEM, ...range(300, 340)];
    expect((await turn(cache, one, alice)).sequence).toBe(a);
    // `a` shares the system prompt with `two`, but taking it would evict a session: the vacant `b` is taken.
    expect((await turn(cache, two, bob)).sequence).toBe(b);
    const lease = await turn(cache, [...one, 9000, 9001, 5], alice);
    expect(lease.sequence).toBe(a);
    expect(lease.cachedTokens).toBe(one.length + 2);
    // A third session: both hold one, `b` was used longest ago.
    const third = await turn(cache, [...SYSTEM, ...range(700, 740)], { tenant: 'alice', sessionId: 's4' });
    expect(third.sequence).toBe(b);
    expect(third.cachedTokens).toBe(SYSTEM.length);
  });

  it('reuses another tenant’s tokens only as far as the server’s system prompt', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    const prompt = [...SYSTEM, ...range(100, 150)];
    await turn(cache, prompt, alice);
    const lease = await cache.lease(prompt, { tenant: 'bob' });
    expect(lease.cachedTokens).toBe(SYSTEM.length);
    // Alice's tokens are gone from the sequence before Bob's request gets it.
    expect(lease.sequence.tokens()).toEqual(SYSTEM);
    await cache.release(lease.sequence);
  });

  it('saves a session’s state when another takes its sequence, and restores it on its next turn', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    const carol = { tenant: 'alice', sessionId: 's3' };
    const mine = [...SYSTEM, ...range(100, 200)];
    await turn(cache, mine, alice);
    await turn(cache, [...SYSTEM, ...range(500, 600)], carol);
    expect(sequence.saves).toBe(1);
    const next = [...mine, 9000, 9001, 7, 8];
    const lease = await turn(cache, next, alice);
    expect(sequence.restores).toBe(1);
    expect(lease.restoredTokens).toBe(mine.length + 2);
    expect(lease.cachedTokens).toBe(mine.length + 2);
  });

  it('never restores another tenant’s saved state', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    const prompt = [...SYSTEM, ...range(100, 200)];
    await turn(cache, prompt, alice);
    await turn(cache, [...SYSTEM, ...range(500, 600)], { tenant: 'alice', sessionId: 'other' });
    const lease = await turn(cache, prompt, { tenant: 'bob', sessionId: 's1' });
    expect(sequence.restores).toBe(0);
    expect(lease.cachedTokens).toBe(SYSTEM.length);
  });

  it('forgets a session in its sequence and on disk, and nothing of another session', async () => {
    const [a, b] = [new ListSequence(), new ListSequence()];
    const cache = await cacheOf([a, b]);
    const other = { tenant: 'alice', sessionId: 's2' };
    const mine = [...SYSTEM, ...range(100, 200)];
    await turn(cache, mine, alice);
    await turn(cache, [...SYSTEM, ...range(300, 400)], other);
    await turn(cache, [...SYSTEM, ...range(500, 600)], { tenant: 'alice', sessionId: 's3' }); // evicts s1 to disk
    expect(await cache.forget(alice)).toBe(1);
    expect(stateFiles()).toEqual([]);
    expect(a.tokens().length + b.tokens().length).toBeGreaterThan(100); // s2 and s3 are still held
    const lease = await turn(cache, [...mine, 9000, 9001], alice);
    expect(lease.cachedTokens).toBe(SYSTEM.length);
  });

  it('erases a sequence forgotten while in use when it is released', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence]);
    const prompt = [...SYSTEM, ...range(100, 200)];
    const lease = await cache.lease(prompt, alice);
    sequence.run(prompt, [1]);
    expect(await cache.forget({ tenant: 'alice' })).toBe(1);
    await cache.release(sequence);
    expect(sequence.tokens()).toEqual(SYSTEM);
    expect(lease.cachedTokens).toBe(0);
  });

  it('primes every empty sequence with the system prompt, so a first turn reuses it', async () => {
    const [a, b] = [new ListSequence(), new ListSequence()];
    const cache = await cacheOf([a, b]);
    await cache.prime();
    expect([a.tokens(), b.tokens()]).toEqual([SYSTEM, SYSTEM]);
    expect((await turn(cache, [...SYSTEM, ...range(100, 120)], alice)).cachedTokens).toBe(SYSTEM.length);
  });

  it('evaluates everything again when off', async () => {
    const sequence = new ListSequence();
    const cache = await cacheOf([sequence], 10_000_000, false);
    const prompt = [...SYSTEM, ...range(100, 150)];
    await turn(cache, prompt, alice);
    expect((await turn(cache, prompt, alice)).cachedTokens).toBe(0);
  });

  function stateFiles(): string[] {
    const root = path.join(dir, 'model-a');
    return readdirSync(root, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.state'));
  }
});
