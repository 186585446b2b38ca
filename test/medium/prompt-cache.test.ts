import {
  copyFileSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  writeSync,
  closeSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { loadConfig } from '../../src/config/app-config.js';
import { jest } from '@jest/globals';
import { LlamaCppModel, LlamaSequence } from '../../src/engines/llm/llama-cpp.adapter.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import { generateToEnd, type ChatMessage, type GenerationResult } from '../../src/engines/llm/llm-engine.js';
import { sharedPrefix, type CacheOwner } from '../../src/engines/llm/prompt-cache/cache-owner.js';
import { PromptCache } from '../../src/engines/llm/prompt-cache/prompt-cache.js';
import { StateStore } from '../../src/engines/llm/prompt-cache/state-store.js';
import { FIXTURE_LLM } from '../support/test-app.js';

// The prompt cache on the fixture GGUF with real llama.cpp: what a sequence holds is exactly the prompt, whatever
// was reused, restored or evaluated; answers at temperature 0 do not depend on the cache; states are walled by
// tenant and model, and forgotten with their session.

const SYSTEM = 'You are Mneme, a helpful assistant. Answer concisely.';
const QUESTIONS = [
  'My name is Ada and I am planning a trip to Turin in May.',
  'I will travel with my brother Luca, who loves old cars.',
  'We want to see the Egyptian Museum and the car museum.',
  'Can you suggest where to eat near Piazza Castello?',
  'Luca does not eat meat, remember that.',
  'What should we pack for a rainy week?',
];
const roots: string[] = [];
afterAll(() => roots.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-prompt-cache-'));
  roots.push(dir);
  return dir;
}

function ctxOf(tenant: string): CallContext {
  return { tenant, signal: new AbortController().signal, trace: ROOT_CONTEXT };
}

function engineOf(dataDir: string, env: Record<string, string> = {}): LlamaCppEngine {
  return new LlamaCppEngine(
    loadConfig({
      MNEME_DATA_DIR: dataDir,
      MNEME_LLM_MODEL: FIXTURE_LLM,
      MNEME_LLM_CONTEXT_SIZE: '1024',
      MNEME_LLM_THREADS: '2',
      MNEME_LLM_PARALLEL: '1',
      MNEME_LLM_SYSTEM_PROMPT: SYSTEM,
      ...env,
    }).llm,
  );
}

/** A session as the ask pipeline lays it out: system prompt, the turns so far, the new question. */
class Conversation {
  private readonly turns: ChatMessage[] = [];
  readonly answers: string[] = [];
  readonly usages: GenerationResult['usage'][] = [];

  constructor(
    private readonly engine: LlamaCppEngine,
    readonly tenant: string,
    readonly sessionId: string,
  ) {}

  /** Each session says its own words (its id first), so sessions share no more than the system prompt. */
  messages(question: string): ChatMessage[] {
    const content = `[${this.sessionId}] ${question}`;
    return [{ role: 'system', content: SYSTEM }, ...this.turns, { role: 'user', content }];
  }

  async ask(question: string): Promise<GenerationResult> {
    const result = await generateToEnd(
      this.engine,
      { messages: this.messages(question), maxTokens: 12, temperature: 0, sessionId: this.sessionId },
      ctxOf(this.tenant),
    );
    this.turns.push(this.messages(question).at(-1)!, { role: 'assistant', content: result.text });
    this.answers.push(result.text);
    this.usages.push(result.usage);
    return result;
  }
}

/** The sessions take turns: each asks question i before any asks question i + 1. */
async function talk(sessions: Conversation[], turns = QUESTIONS.length): Promise<void> {
  for (let i = 0; i < turns; i++) for (const session of sessions) await session.ask(QUESTIONS[i]!);
}

/** Whether every turn after the first reused at least the whole prompt of the turn before. */
function reusedAll(usages: GenerationResult['usage'][]): boolean {
  return usages.slice(1).every((usage, i) => usage.cachedPromptTokens >= usages[i]!.promptTokens);
}

function stateFiles(dataDir: string): string[] {
  const root = path.join(dataDir, 'prompt-cache');
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.state'));
}

// The fixture's tokenizer, to compute what may be shared: the prompt's prefix in common with the server's
// system prompt rendered alone (every sequence is primed with it; any tenant may reuse it).
let tokenizer: LlamaCppModel;
beforeAll(async () => {
  tokenizer = await LlamaCppModel.load({
    modelPath: FIXTURE_LLM,
    threads: 1,
    contextSize: 1024,
    sequences: 1,
  });
});
afterAll(() => tokenizer.dispose());

function publicPartOf(messages: ChatMessage[]): number {
  const system = tokenizer.promptTokens([{ role: 'system', content: SYSTEM }]);
  return sharedPrefix(system, tokenizer.promptTokens(messages));
}

describe('the prompt cache on the fixture GGUF', () => {
  it('leaves each sequence holding exactly the prompt’s tokens, whether reused, restored or evaluated', async () => {
    const model = await LlamaCppModel.load({
      modelPath: FIXTURE_LLM,
      threads: 2,
      contextSize: 1024,
      sequences: 1,
    });
    try {
      const store = new StateStore(tempDir(), 'fixture', 64 * 1024 * 1024);
      await store.open();
      const publicTokens = model.promptTokens([{ role: 'system', content: SYSTEM }]);
      const cache = new PromptCache(model.sequences, publicTokens, store, true);
      const history: Record<string, ChatMessage[]> = { a: [], b: [] };
      const sources = new Set<string>();
      for (const question of QUESTIONS) {
        // Two sessions take turns on one sequence: every turn after the first saves one state and restores one.
        for (const session of ['a', 'b']) {
          const messages = [
            { role: 'system' as const, content: SYSTEM },
            ...history[session]!,
            { role: 'user' as const, content: `${session}: ${question}` },
          ];
          const prompt = model.promptTokens(messages);
          const owner: CacheOwner = { tenant: 'alice', sessionId: session };
          const lease = await cache.lease(prompt, owner);
          sources.add(
            lease.restoredTokens > 0 ? 'restored' : lease.cachedTokens > 0 ? 'reused' : 'evaluated',
          );
          const outcome = await model.generate(lease.sequence, messages, {
            maxTokens: 8,
            temperature: 0,
            signal: new AbortController().signal,
            onText: () => undefined,
            onTokens: () => undefined,
          });
          expect(lease.sequence.tokens().slice(0, prompt.length)).toEqual(prompt);
          await cache.release(lease.sequence);
          history[session]!.push(messages.at(-1)!, { role: 'assistant', content: outcome.text });
        }
      }
      expect([...sources].sort()).toEqual(['evaluated', 'restored', 'reused']);
    } finally {
      await model.dispose();
    }
  }, 120_000);

  it('prefills a turn’s stable start (while memory is recalled): the turn evaluates only its last message', async () => {
    const warmed = engineOf(tempDir());
    const plain = engineOf(tempDir());
    try {
      const [a, b] = [new Conversation(warmed, 'alice', 's1'), new Conversation(plain, 'alice', 's1')];
      await talk([a], 3);
      await talk([b], 3);
      const start = a.messages(QUESTIONS[3]!).slice(0, -1);
      const stable = sharedPrefix(
        tokenizer.promptTokens([...start, { role: 'user', content: 'a' }]),
        tokenizer.promptTokens([...start, { role: 'user', content: 'b' }]),
      );
      const evaluated = jest.spyOn(LlamaSequence.prototype, 'prefill');
      await warmed.prefill({ messages: start, sessionId: 's1' }, ctxOf('alice'));
      // The prefill evaluated the start past what the last turn left, and the sequence now holds all of it.
      expect(evaluated).toHaveBeenCalledTimes(1);
      expect(evaluated.mock.calls[0]![0].length).toBeGreaterThan(0);
      expect((evaluated.mock.contexts[0] as LlamaSequence).tokens()).toHaveLength(stable);
      const [after, control] = [await a.ask(QUESTIONS[3]!), await b.ask(QUESTIONS[3]!)];
      expect(after.text).toBe(control.text);
      // Reported as what it is: work for this request, not a cache hit.
      expect(after.usage).toEqual(control.usage);
    } finally {
      jest.restoreAllMocks();
      await Promise.all([warmed.unload(), plain.unload()]);
    }
  }, 120_000);

  it('answers at temperature 0 exactly as with the cache off, and reports the reused tokens', async () => {
    const on = engineOf(tempDir());
    const off = engineOf(tempDir(), { MNEME_LLM_PROMPT_CACHE: 'false' });
    try {
      const cached = new Conversation(on, 'alice', 's1');
      const uncached = new Conversation(off, 'alice', 's1');
      await talk([cached]);
      await talk([uncached]);
      expect(cached.answers).toEqual(uncached.answers);
      expect(uncached.usages.every((u) => u.cachedPromptTokens === 0)).toBe(true);
      // The first turn reuses the system prompt every sequence was primed with.
      const firstTurn: ChatMessage[] = [
        { role: 'system', content: SYSTEM },
        { role: 'user', content: `[s1] ${QUESTIONS[0]}` },
      ];
      expect(cached.usages[0]!.cachedPromptTokens).toBe(publicPartOf(firstTurn));
      // At least all of the last turn's prompt is reused (and of its answer, what re-renders to the same tokens).
      expect(reusedAll(cached.usages)).toBe(true);
      expect(cached.usages.map((u) => u.promptTokens)).toEqual(uncached.usages.map((u) => u.promptTokens));
    } finally {
      await Promise.all([on.unload(), off.unload()]);
    }
  }, 120_000);

  it('gives two sessions interleaved on one sequence the answers each gets alone, restoring their states', async () => {
    const alone = engineOf(tempDir());
    const dataDir = tempDir();
    const shared = engineOf(dataDir);
    try {
      const soloA = new Conversation(alone, 'alice', 'a');
      await talk([soloA], 4);
      const soloB = new Conversation(alone, 'alice', 'b');
      await talk([soloB], 4);
      const [a, b] = [new Conversation(shared, 'alice', 'a'), new Conversation(shared, 'alice', 'b')];
      await talk([a, b], 4);
      expect(a.answers).toEqual(soloA.answers);
      expect(b.answers).toEqual(soloB.answers);
      // From the second turn on each session finds its own last prompt again (restored from disk).
      expect(reusedAll(a.usages)).toBe(true);
      expect(reusedAll(b.usages)).toBe(true);
      expect(stateFiles(dataDir).length).toBeGreaterThan(0);
    } finally {
      await Promise.all([alone.unload(), shared.unload()]);
    }
  }, 180_000);

  it('never reuses another tenant’s tokens past the server’s system prompt, in a sequence or on disk', async () => {
    const engine = engineOf(tempDir());
    try {
      const alice = new Conversation(engine, 'alice', 's1');
      await talk([alice], 3);
      // Bob sends Alice's exact conversation: he may reuse the rendered system prompt, not a token more.
      const prompt = alice.messages(QUESTIONS[3]!);
      const result = await generateToEnd(
        engine,
        { messages: prompt, maxTokens: 4, temperature: 0, sessionId: 's1' },
        ctxOf('bob'),
      );
      const publicPart = publicPartOf(prompt);
      expect(publicPart).toBeGreaterThan(5);
      expect(result.usage.cachedPromptTokens).toBe(publicPart);
      const again = await generateToEnd(
        engine,
        { messages: alice.messages(QUESTIONS[3]!), maxTokens: 4, temperature: 0, sessionId: 's1' },
        ctxOf('alice'),
      );
      // Alice's own state was saved when Bob took the sequence: hers comes back, Bob's request got none of it.
      expect(again.usage.cachedPromptTokens).toBeGreaterThan(result.usage.cachedPromptTokens + 20);
    } finally {
      await engine.unload();
    }
  }, 120_000);

  it('deletes a session’s states when it is forgotten, and keeps the other sessions’', async () => {
    const dataDir = tempDir();
    const engine = engineOf(dataDir);
    try {
      const sessions = ['a', 'b', 'c'].map((id) => new Conversation(engine, 'alice', id));
      await talk(sessions, 2);
      // Three sessions took turns on one sequence: each one's latest state is on disk (c's from its first turn,
      // restored for its second), and c's newest is in the sequence.
      expect(stateFiles(dataDir).length).toBe(3);
      expect(await engine.forgetCached({ tenant: 'alice', sessionId: 'a' })).toBe(1);
      expect(stateFiles(dataDir).length).toBe(2);
      expect(await engine.forgetCached({ tenant: 'alice' })).toBe(3);
      expect(stateFiles(dataDir)).toEqual([]);
      const next = await sessions[2]!.ask(QUESTIONS[2]!);
      expect(next.usage.cachedPromptTokens).toBeLessThan(next.usage.promptTokens / 2);
    } finally {
      await engine.unload();
    }
  }, 120_000);

  it('never loads a state saved under another model file', async () => {
    const dataDir = tempDir();
    // The same weights with one byte changed near the end: another file, another identity.
    const other = path.join(tempDir(), 'tiny-llama-copy.gguf');
    copyFileSync(FIXTURE_LLM, other);
    const fd = openSync(other, 'r+');
    writeSync(fd, Buffer.from([1]), 0, 1, statSync(other).size - 3);
    closeSync(fd);
    const first = engineOf(dataDir);
    const sessions = ['a', 'b'].map((id) => new Conversation(first, 'alice', id));
    await talk(sessions, 2);
    await first.unload();
    const saved = stateFiles(dataDir);
    expect(saved.length).toBeGreaterThan(0);
    const second = engineOf(dataDir, { MNEME_LLM_MODEL: other });
    try {
      const turns = sessions[0]!.messages(QUESTIONS[2]!);
      const result = await generateToEnd(
        second,
        { messages: turns, maxTokens: 4, temperature: 0, sessionId: 'a' },
        ctxOf('alice'),
      );
      // Only the system prompt this engine primed its sequence with: none of the first model's states.
      expect(result.usage.cachedPromptTokens).toBe(publicPartOf(turns));
      // The first model's states are still there for it, untouched.
      expect(stateFiles(dataDir).filter((f) => saved.includes(f))).toEqual(saved);
    } finally {
      await second.unload();
    }
  }, 120_000);
});
