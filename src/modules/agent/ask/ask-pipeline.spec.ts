import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { ctx, emptyMemory, scriptedDeps, type Turn } from '../../../../test/support/scripted-deps.js';
import type { AgentEvent } from '../agent.types.js';
import type { AskInput } from '../dto/ask.input.js';
import { AskPipeline } from './ask-pipeline.js';

// The ask pipeline's branches, each decided by a scripted engine and scripted services: deterministic, and each
// test fails if its branch did not run.

async function ask(input: Partial<AskInput>, setup: Parameters<typeof scriptedDeps>[0]) {
  const { deps, calls } = scriptedDeps(setup);
  const events: AgentEvent[] = [];
  for await (const event of new AskPipeline(deps).run({ prompt: 'What is six times seven?', ...input }, ctx))
    events.push(event);
  const answer = events.at(-1);
  if (answer?.type !== 'answer') throw new Error('no answer');
  return { events, answer: answer.answer, calls };
}

const say = (...tokens: string[]): Turn => ({ tokens });
const overflow = (): Turn => ({ error: new MnemeError(ErrorCode.CONTEXT_OVERFLOW, 'too long') });
const tokensOf = (events: AgentEvent[]) => events.flatMap((e) => (e.type === 'token' ? [e.text] : []));

describe('the ask pipeline', () => {
  it('streams one generation on the fast path, remembers the exchange and releases the slot', async () => {
    const { events, answer, calls } = await ask({}, { script: [say('Forty', '-two.')] });
    expect(tokensOf(events)).toEqual(['Forty', '-two.']);
    expect(answer.result.text).toBe('Forty-two.');
    expect(answer.route.path).toBe('fast');
    expect(answer.memory.remembered).toEqual(['e1', 'e2']);
    expect(calls.remembered).toBe(1);
    expect(calls.released).toBeGreaterThanOrEqual(1);
  });

  it('has the engine prefill the session’s turns, the start of the prompt it then answers from', async () => {
    const turns = [
      { id: 't1', seq: 1, role: 'user' as const, text: 'My cat is Tom.', tokens: 5, createdAt: 0 },
      { id: 't2', seq: 2, role: 'assistant' as const, text: 'Noted.', tokens: 2, createdAt: 1 },
    ];
    const { calls } = await ask(
      { sessionId: 's1' },
      { script: [say('Tom')], memory: emptyMemory({ turns }) },
    );
    expect(calls.prefills).toHaveLength(1);
    const prefilled = calls.prefills[0]!;
    expect(prefilled.sessionId).toBe('s1');
    expect(prefilled.messages.map((m) => m.content).slice(1)).toEqual(['My cat is Tom.', 'Noted.']);
    // What was prefilled is exactly the answered prompt less its last message.
    expect(calls.requests[0]!.messages.slice(0, -1)).toEqual(prefilled.messages);
  });

  it('retries a context overflow with less memory, and says so', async () => {
    const memory = emptyMemory({
      episodes: [{ id: 'old', role: 'user', text: 'a long memory', createdAt: 0 }],
    });
    const { answer, calls } = await ask({}, { script: [overflow(), say('42')], memory });
    expect(calls.requests).toHaveLength(2);
    expect(JSON.stringify(calls.requests[0]!.messages)).toContain('a long memory');
    expect(JSON.stringify(calls.requests[1]!.messages)).not.toContain('a long memory');
    expect(answer.memory.used).toEqual([]);
    expect(answer.memory.warnings).toContain('recalled memory was trimmed to fit the context');
  });

  it('fails with the overflow when there is no memory left to drop', async () => {
    await expect(ask({}, { script: [overflow()] })).rejects.toMatchObject({
      code: ErrorCode.CONTEXT_OVERFLOW,
    });
  });

  it('votes on the deep path: samples drawn hotter, the majority streamed once, agreement reported', async () => {
    const script = [say('So it is 42.'), say('It is 41.'), say('The answer: 42')];
    const { events, answer, calls } = await ask({ samples: 3 }, { script, path: 'deep' });
    expect(calls.requests.map((r) => r.temperature)).toEqual([0.7, 0.7, 0.7]);
    expect(tokensOf(events)).toEqual(['So it is 42.']);
    expect(answer.consistency).toMatchObject({ samples: 3, agreement: 2 / 3, totalCompletionTokens: 3 });
  });

  it('spreads the samples over the path’s ensemble, and a caller’s model over none', async () => {
    const script = [say('It is 42.'), say('It is 41.'), say('So 42.')];
    const { answer, calls } = await ask({ samples: 3 }, { script, path: 'deep', ensemble: ['a', 'b'] });
    expect(calls.requests.map((r) => r.model)).toEqual(['a', 'b', 'a']);
    expect(answer.consistency!.models).toEqual(['a', 'b', 'a']);
    expect(answer.consistency).toMatchObject({ samples: 3, agreement: 2 / 3 });
    const named = await ask(
      { samples: 2, model: 'c' },
      { script: [say('1'), say('1')], path: 'deep', ensemble: ['a', 'b'] },
    );
    expect(named.calls.requests.map((r) => r.model)).toEqual(['c', 'c']);
  });

  it('escalates an unsure fast answer to medium when it has room, restarting the stream', async () => {
    const { events, answer, calls } = await ask(
      {},
      { script: [say("I'm not sure."), say('42')], mediumHasRoom: true },
    );
    expect(events.map((e) => e.type)).toEqual(['token', 'restart', 'token', 'answer']);
    expect(calls.escalations).toBe(1);
    expect(answer.route).toMatchObject({ path: 'medium', escalated: true });
    expect(answer.result.text).toBe('42');
  });

  it('keeps the fast answer with a warning when medium is busy', async () => {
    const { events, answer, calls } = await ask({}, { script: [say("I'm not sure.")], mediumHasRoom: false });
    expect(calls.escalations).toBe(1);
    expect(events.map((e) => e.type)).toEqual(['token', 'answer']);
    expect(answer.route.path).toBe('fast');
    expect(answer.memory.warnings).toEqual([
      'the answer looked unsure (hedged ("I\'m not sure")) but the medium path was busy',
    ]);
  });

  it('escalates a plain-looking fast answer the model was unsure of, by its mean token entropy', async () => {
    const script = [{ ...say('42'), entropy: 2.5 }, say('41')];
    const { answer, calls } = await ask({}, { script, mediumHasRoom: true, escalateEntropy: 1.5 });
    expect(calls.requests[0]).toMatchObject({ logprobs: 0, logprobsIfAvailable: true });
    expect(calls.escalations).toBe(1);
    expect(answer.route.reason).toMatch(/uncertain \(mean token entropy 2\.50 nats > 1\.5\)/);
    expect(answer.result.text).toBe('41');
  });

  it('keeps a fast answer whose entropy is under the threshold, and scores nothing without one', async () => {
    const sure = await ask(
      {},
      { script: [{ ...say('42'), entropy: 0.4 }], mediumHasRoom: true, escalateEntropy: 1.5 },
    );
    expect(sure.calls.escalations).toBe(0);
    const unscored = await ask({}, { script: [say('42')], mediumHasRoom: true });
    expect(unscored.calls.requests[0]!.logprobs).toBeUndefined();
  });

  it('leaves entropy out when the caller samples at another temperature than the threshold was set for', async () => {
    const script = [{ ...say('42'), entropy: 2.5 }];
    const { calls } = await ask({ temperature: 1.2 }, { script, mediumHasRoom: true, escalateEntropy: 1.5 });
    expect(calls.requests[0]!.logprobs).toBeUndefined();
    expect(calls.escalations).toBe(0);
  });

  it('passes the caller’s logprobs through, threshold or not', async () => {
    const { calls } = await ask({ logprobs: 3 }, { script: [say('42')] });
    expect(calls.requests[0]!.logprobs).toBe(3);
  });

  it('does not escalate a sure answer', async () => {
    const { calls } = await ask({}, { script: [say('42')], mediumHasRoom: true });
    expect(calls.escalations).toBe(0);
  });

  it('skips a breaching memory tier on the fast path and says which', async () => {
    const { answer, calls } = await ask({}, { script: [say('42')], breaching: ['memory.episodic'] });
    expect(calls.forPrompt[0]!.tiers).toEqual(['working', 'semantic']);
    expect(answer.memory.skipped).toEqual(['episodic']);
    expect(answer.memory.warnings[0]).toMatch(
      /^episodic memory skipped on the fast path: memory.episodic p95 400 ms/,
    );
  });

  it('passes on the tiers memory had to answer without', async () => {
    const { answer } = await ask(
      {},
      { script: [say('42')], memory: emptyMemory({ degraded: ['semantic'] }) },
    );
    expect(answer.memory.degraded).toEqual(['semantic']);
  });

  it('caps maxTokens at the path’s maximum and says so', async () => {
    const { answer, calls } = await ask({ maxTokens: 100_000 }, { script: [say('42')] });
    expect(calls.requests[0]!.maxTokens).toBe(256);
    expect(answer.memory.warnings).toContain("maxTokens 100000 was capped at the fast path's 256");
  });

  it('releases the slot when a step fails', async () => {
    const failing = scriptedDeps({ script: [{ error: new Error('engine down') }] });
    const run = new AskPipeline(failing.deps).run({ prompt: 'hi' }, ctx);
    await expect(async () => {
      for await (const _ of run) void _;
    }).rejects.toThrow('engine down');
    expect(failing.calls.released).toBeGreaterThanOrEqual(1);
    expect(failing.calls.remembered).toBe(0);
  });
});
