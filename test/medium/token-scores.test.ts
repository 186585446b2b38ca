import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { loadConfig } from '../../src/config/app-config.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import {
  generateToEnd,
  type GenerateRequest,
  type GenerationEvent,
  type GenerationResult,
} from '../../src/engines/llm/llm-engine.js';
import { FIXTURE_LLM } from '../support/test-app.js';

// Token scores through the in-process engine's own decode loop, checked against LlamaChat's generation.

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-token-scores-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const ctx: CallContext = { tenant: 't1', signal: new AbortController().signal, trace: ROOT_CONTEXT };
// A bare "Hello" makes the fixture model stop by itself (end of generation) after a few dozen tokens.
const hello = (over: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content: 'Hello' }],
  maxTokens: 64,
  temperature: 0,
  ...over,
});

async function scoredRun(engine: LlamaCppEngine, request: GenerateRequest) {
  const events: GenerationEvent[] = [];
  for await (const event of engine.generate(request, ctx)) events.push(event);
  const done = events.at(-1);
  if (done?.type !== 'done') throw new Error('no result');
  const streamed = events.flatMap((e) => (e.type === 'token' ? (e.logprobs ?? []) : []));
  return {
    result: done.result,
    streamed,
    texts: events.flatMap((e) => (e.type === 'token' ? [e.text] : [])),
  };
}

describe('token scores on the fixture GGUF', () => {
  const engine = new LlamaCppEngine(
    loadConfig({
      MNEME_DATA_DIR: dataDir,
      MNEME_LLM_MODEL: FIXTURE_LLM,
      MNEME_LLM_CONTEXT_SIZE: '512',
      MNEME_LLM_THREADS: '2',
    }).llm,
  );
  let plain: GenerationResult;
  beforeAll(async () => {
    await engine.load();
    plain = await generateToEnd(engine, hello(), ctx);
  });
  afterAll(() => engine.unload());

  it('greedy with scores writes exactly what greedy without them writes, ending the same way', async () => {
    const { result } = await scoredRun(engine, hello({ logprobs: 2 }));
    expect(plain.finishReason).toBe('stop');
    expect(plain.usage.completionTokens).toBeLessThan(64);
    expect(result.text).toBe(plain.text);
    expect(result.finishReason).toBe('stop');
    expect(result.usage.completionTokens).toBe(plain.usage.completionTokens);
  });

  it('scores every token: greedy picks the likeliest, alternatives come most likely first', async () => {
    const { result, streamed, texts } = await scoredRun(engine, hello({ logprobs: 3 }));
    const tokens = result.scores!.tokens;
    // The end-of-generation token is sampled and counted but not part of the answer.
    expect(tokens).toHaveLength(result.usage.completionTokens - 1);
    expect(streamed).toEqual(tokens);
    expect(texts.join('')).toBe(result.text);
    for (const token of tokens) {
      expect(token.top).toHaveLength(3);
      expect(token.logprob).toBeLessThanOrEqual(0);
      expect(token.top[0]!.logprob).toBeCloseTo(token.logprob, 5);
      expect(token.top[0]!.token).toBe(token.token);
      expect(token.top[1]!.logprob).toBeLessThanOrEqual(token.top[0]!.logprob);
      expect(token.top[2]!.logprob).toBeLessThanOrEqual(token.top[1]!.logprob);
    }
    // The tokens' bytes spell the answer (a character cut off at the very end is not in the text).
    const spelled = Buffer.concat(tokens.map((t) => Buffer.from(t.bytes))).toString('utf8');
    expect(spelled.replace(/\uFFFD+$/u, '')).toBe(result.text.replace(/\uFFFD+$/u, ''));
    expect(result.scores!.meanEntropy).toBeGreaterThan(0);
  });

  it('cuts at a stop string taken from the middle of the answer, scoring only what came before', async () => {
    const at = Math.floor(plain.text.length / 2);
    const stop = plain.text.slice(at, at + 3);
    const cut = plain.text.indexOf(stop);
    const { result } = await scoredRun(engine, hello({ logprobs: 0, stop: [stop] }));
    expect(result.text).toBe(plain.text.slice(0, cut));
    expect(result.finishReason).toBe('stop');
    expect(result.scores!.tokens.map((t) => t.token).join('')).toBe(result.text);
  });

  it('samples reproducibly with a seed, and differently with another', async () => {
    const sampled = (seed: number) =>
      generateToEnd(engine, hello({ temperature: 1, seed, logprobs: 0 }), ctx);
    const [a, b, c] = [await sampled(7), await sampled(7), await sampled(8)];
    expect(b.text).toBe(a.text);
    expect(b.scores!.tokens.map((t) => t.logprob)).toEqual(a.scores!.tokens.map((t) => t.logprob));
    expect(c.text).not.toBe(a.text);
  });

  it('refuses scores together with a JSON schema, or answers unscored when scores were only wanted if available', async () => {
    const request = hello({ logprobs: 0, jsonSchema: { type: 'object' }, maxTokens: 8 });
    await expect(generateToEnd(engine, request, ctx)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/cannot be combined with a JSON schema response format/),
    });
    const unscored = await generateToEnd(engine, { ...request, logprobsIfAvailable: true }, ctx);
    expect(unscored.scores).toBeUndefined();
    expect(unscored.text.trim().startsWith('{')).toBe(true); // the grammar held
  });
});
