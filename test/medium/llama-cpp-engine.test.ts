import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { deadlineError } from '../../src/common/abort.js';
import type { CallContext } from '../../src/common/call-context.js';
import { loadConfig } from '../../src/config/app-config.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import {
  generateToEnd,
  type GenerateRequest,
  type GenerationEvent,
} from '../../src/engines/llm/llm-engine.js';
import { FIXTURE_LLM } from '../support/test-app.js';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-llm-engine-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function engineWith(env: Record<string, string> = {}): LlamaCppEngine {
  const config = loadConfig({
    MNEME_DATA_DIR: dataDir,
    MNEME_LLM_MODEL: FIXTURE_LLM,
    MNEME_LLM_CONTEXT_SIZE: '512',
    MNEME_LLM_THREADS: '2',
    ...env,
  });
  return new LlamaCppEngine(config.llm);
}

function ctx(signal: AbortSignal = new AbortController().signal): CallContext {
  return { tenant: 't1', signal, trace: ROOT_CONTEXT };
}

// With this system prompt the fixture model deterministically runs to its token limit (a bare "Hello" stops
// after 38 tokens), so tests that cancel mid-generation always have a generation to cancel.
const SYSTEM = { role: 'system' as const, content: 'You are Mneme, a helpful assistant. Answer concisely.' };
const hello = (maxTokens: number): GenerateRequest => ({
  messages: [SYSTEM, { role: 'user', content: 'Hello' }],
  maxTokens,
});

async function collect(events: AsyncIterable<GenerationEvent>): Promise<GenerationEvent[]> {
  const out: GenerationEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

describe('LlamaCppEngine on the fixture GGUF', () => {
  const engine = engineWith({ MNEME_LLM_PARALLEL: '2' });
  beforeAll(() => engine.load());
  afterAll(() => engine.unload());

  it('reports the model as ready with its real context size', () => {
    expect(engine.models()).toEqual([
      expect.objectContaining({
        name: 'tiny-llama',
        state: 'ready',
        contextSize: 512,
        parallel: 2,
        testModel: false,
      }),
    ]);
  });

  it('streams token events and ends with one result whose text is their concatenation', async () => {
    const events = await collect(engine.generate(hello(12), ctx()));
    const tokens = events.filter((e) => e.type === 'token');
    const done = events.at(-1);
    expect(tokens.length).toBeGreaterThan(0);
    expect(done?.type).toBe('done');
    if (done?.type !== 'done') return;
    expect(done.result.text).toBe(tokens.map((t) => t.text).join(''));
    expect(done.result.usage.completionTokens).toBeGreaterThan(0);
    expect(done.result.usage.completionTokens).toBeLessThanOrEqual(12);
    expect(done.result.usage.promptTokens).toBeGreaterThan(3);
    expect(done.result.timings.totalMs).toBeGreaterThanOrEqual(done.result.timings.ttftMs);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(1);
  });

  it('counts prompt tokens with the chat template: a longer prompt costs more', async () => {
    const short = await generateToEnd(engine, hello(1), ctx());
    const long = await generateToEnd(
      engine,
      { messages: [SYSTEM, { role: 'user', content: 'Hello '.repeat(20) }], maxTokens: 1 },
      ctx(),
    );
    expect(long.usage.promptTokens).toBeGreaterThan(short.usage.promptTokens + 15);
  });

  it('runs two generations at once on two sequences', async () => {
    let peak = 0;
    const watch = setInterval(() => (peak = Math.max(peak, engine.stats().active)), 1);
    try {
      await Promise.all([generateToEnd(engine, hello(40), ctx()), generateToEnd(engine, hello(40), ctx())]);
    } finally {
      clearInterval(watch);
    }
    expect(peak).toBe(2);
  });

  it('serves a stream of short requests with every slot busy: a freed sequence is waited for, not "No sequences left"', async () => {
    // Each finished generation hands its slot straight to the next waiter while node-llama-cpp still reclaims
    // the sequence asynchronously; 12 requests over 2 slots hit that hand-over 10 times.
    const results = await Promise.all(
      Array.from({ length: 12 }, () => generateToEnd(engine, hello(2), ctx())),
    );
    expect(results).toHaveLength(12);
    for (const result of results) expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(engine.stats().active).toBe(0);
  });

  it('maps a prompt longer than the context to CONTEXT_OVERFLOW with the counts', async () => {
    const request = { messages: [{ role: 'user' as const, content: 'word '.repeat(2000) }] };
    await expect(generateToEnd(engine, request, ctx())).rejects.toMatchObject({
      code: 'CONTEXT_OVERFLOW',
      details: { contextSize: 512, promptTokens: expect.any(Number) },
    });
    expect(engine.stats().active).toBe(0);
  });

  it('clamps maxTokens to the room left in the context', async () => {
    const result = await generateToEnd(
      engine,
      { messages: [{ role: 'user', content: 'word '.repeat(80) }], maxTokens: 100_000 },
      ctx(),
    );
    expect(result.usage.promptTokens + result.usage.completionTokens).toBeLessThanOrEqual(512);
  });

  it('refuses an unknown model name with MODEL_NOT_FOUND and accepts "default"', async () => {
    await expect(generateToEnd(engine, { ...hello(1), model: 'nope' }, ctx())).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
    });
    await expect(generateToEnd(engine, { ...hello(1), model: 'default' }, ctx())).resolves.toMatchObject({
      model: 'tiny-llama',
    });
  });

  it('stops at once when the caller aborts, and frees the slot', async () => {
    const controller = new AbortController();
    const events = engine.generate(hello(400), ctx(controller.signal));
    const seen: GenerationEvent[] = [];
    const run = (async () => {
      for await (const event of events) {
        seen.push(event);
        if (seen.length === 2) controller.abort();
      }
    })();
    await expect(run).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(seen.length).toBeLessThan(50);
    expect(engine.stats().active).toBe(0);
  });

  it('ends with DEADLINE_EXCEEDED when the deadline passes', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(deadlineError(30)), 30);
    await expect(generateToEnd(engine, hello(2000), ctx(controller.signal))).rejects.toMatchObject({
      code: 'DEADLINE_EXCEEDED',
    });
  });

  it('stops generating when the consumer stops reading', async () => {
    const before = engine.stats();
    for await (const event of engine.generate(hello(400), ctx())) {
      expect(event.type).toBe('token');
      break;
    }
    const until = Date.now() + 5000;
    while (engine.stats().active > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    expect(engine.stats()).toMatchObject({
      active: 0,
      failed: before.failed,
      cancelled: before.cancelled + 1,
      completed: before.completed,
    });
  });
});

describe('LlamaCppEngine admission and lifecycle', () => {
  it('refuses with OVERLOADED when every slot is busy and the queue is full', async () => {
    const engine = engineWith({ MNEME_LLM_PARALLEL: '1', MNEME_LLM_QUEUE_LIMIT: '1' });
    await engine.load();
    try {
      const controller = new AbortController();
      const first = generateToEnd(engine, hello(300), ctx(controller.signal));
      const queued = generateToEnd(engine, hello(2), ctx());
      await new Promise((r) => setTimeout(r, 50));
      expect(engine.stats()).toMatchObject({ active: 1, queued: 1 });
      await expect(generateToEnd(engine, hello(2), ctx())).rejects.toMatchObject({
        code: 'OVERLOADED',
        retryAfterSeconds: 1,
      });
      controller.abort();
      await expect(first).rejects.toMatchObject({ code: 'CANCELLED' });
      await expect(queued).resolves.toMatchObject({ model: 'tiny-llama' });
    } finally {
      await engine.unload();
    }
  });

  it('drains: cancels what outlives the grace period with SHUTTING_DOWN and refuses new work', async () => {
    // One slot and four long asks: random weights may emit EOS early (multi-threaded float sums make even greedy
    // decoding vary), but the whole queue cannot finish within 10 ms, so some of it must be cancelled.
    const engine = engineWith({ MNEME_LLM_PARALLEL: '1' });
    await engine.load();
    const asks = Array.from({ length: 4 }, () => generateToEnd(engine, hello(2000), ctx()));
    await new Promise((r) => setTimeout(r, 10));
    await engine.drain(10);
    const outcomes = await Promise.allSettled(asks);
    const cancelled = outcomes.filter((o) => o.status === 'rejected');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const o of cancelled) expect(o.reason).toMatchObject({ code: 'SHUTTING_DOWN' });
    expect(engine.stats()).toMatchObject({ active: 0, queued: 0 });
    await expect(generateToEnd(engine, hello(1), ctx())).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
    await engine.unload();
    expect(engine.models()[0]?.state).toBe('unloaded');
  });

  it('reports a file that is not a GGUF as a failed load and MODEL_UNAVAILABLE, without crashing', async () => {
    const bad = path.join(mkdtempSync(path.join(os.tmpdir(), 'mneme-bad-')), 'broken.gguf');
    writeFileSync(bad, 'this is not a model');
    const engine = engineWith({ MNEME_LLM_MODEL: bad });
    await expect(engine.load()).rejects.toThrow();
    expect(engine.models()[0]).toMatchObject({ state: 'failed', error: expect.any(String) });
    await expect(generateToEnd(engine, hello(1), ctx())).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE' });
  });
});
