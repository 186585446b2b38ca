import type { TokenLogprob } from '../llm-engine.js';
import {
  decodeScored,
  type ScoredDecodeOptions,
  type StepDecoder,
  type StepSampling,
} from './scored-decode.js';

const END = 0;

/** A decoder that samples a fixed script of tokens; token n spells VOCAB[n]. */
function scripted(
  script: number[],
  vocab: Record<number, string>,
): StepDecoder & { inputs: number[][]; samplings: StepSampling[] } {
  const inputs: number[][] = [];
  const samplings: StepSampling[] = [];
  return {
    inputs,
    samplings,
    newline: 9,
    step: (tokens, sampling) => {
      inputs.push(tokens);
      const token = script[samplings.push(sampling) - 1];
      if (token === undefined) return Promise.resolve(undefined);
      const logits = new Map([
        [token, 0],
        [99, -1],
      ]);
      return Promise.resolve({ token, logits, totalLogitWeight: 1 + Math.exp(-1) });
    },
    isEnd: (token) => token === END,
    text: (tokens) => tokens.map((t) => vocab[t] ?? '').join(''),
  };
}

function options(overrides: Partial<ScoredDecodeOptions> = {}) {
  const chunks: { text: string; logprobs: TokenLogprob[] }[] = [];
  const opts: ScoredDecodeOptions = {
    maxTokens: 10,
    stop: [],
    stopRuns: [],
    top: 1,
    signal: new AbortController().signal,
    onText: (text, logprobs) => chunks.push({ text, logprobs }),
    onStep: () => undefined,
    ...overrides,
  };
  return { opts, chunks };
}

const VOCAB = { 1: 'Hel', 2: 'lo', 3: ' wor', 4: 'ld', 5: '#', 6: '##' };

describe('decodeScored', () => {
  it('streams each token with its log probability and alternatives, then ends at the end token', async () => {
    const decoder = scripted([1, 2, END], VOCAB);
    const { opts, chunks } = options();
    const outcome = await decodeScored(decoder, [42, 43], opts);
    expect(outcome.text).toBe('Hello');
    expect(outcome.stoppedBy).toBe('eos');
    expect(outcome.completionTokens).toBe(3);
    expect(chunks.map((c) => c.text)).toEqual(['Hel', 'lo']);
    const first = chunks[0]!.logprobs[0]!;
    expect(first.token).toBe('Hel');
    expect(first.logprob).toBeCloseTo(-Math.log(1 + Math.exp(-1)), 12);
    expect(first.top.map((t) => t.token)).toEqual(['Hel']);
    expect(first.bytes).toEqual([...Buffer.from('Hel')]);
    // The prompt goes in once; each later step feeds back only the token just sampled.
    expect(decoder.inputs).toEqual([[42, 43], [1], [2]]);
    expect(outcome.scores.tokens).toHaveLength(2);
    expect(outcome.scores.meanEntropy).toBeGreaterThan(0);
  });

  it('cuts at a stop string and drops the scores of tokens past it', async () => {
    const { opts, chunks } = options({ stop: ['###'] });
    const outcome = await decodeScored(scripted([1, 5, 6, 3], VOCAB), [1], opts);
    expect(outcome.text).toBe('Hel');
    expect(outcome.stoppedBy).toBe('stop');
    expect(chunks.flatMap((c) => c.logprobs.map((l) => l.token))).toEqual(['Hel']);
    expect(outcome.scores.tokens.map((t) => t.token)).toEqual(['Hel']);
  });

  it('releases held text with its scores when no stop string follows', async () => {
    const { opts } = options({ stop: ['###'] });
    const outcome = await decodeScored(scripted([1, 5, 2, END], VOCAB), [1], opts);
    expect(outcome.text).toBe('Hel#lo');
    expect(outcome.scores.tokens.map((t) => t.token)).toEqual(['Hel', '#', 'lo']);
  });

  it('ends at a template end-of-turn run without any of it in the answer, and at the token limit', async () => {
    const { opts, chunks } = options({ stopRuns: [[2, 4]] });
    const run = await decodeScored(scripted([1, 2, 4], VOCAB), [1], opts);
    expect(run).toMatchObject({ text: 'Hel', stoppedBy: 'eos' });
    expect(chunks.map((c) => c.text).join('')).toBe('Hel');
    expect(run.scores.tokens.map((t) => t.token)).toEqual(['Hel']);
    const limited = await decodeScored(scripted([1, 2, 3, 4], VOCAB), [1], options({ maxTokens: 2 }).opts);
    expect(limited).toMatchObject({ text: 'Hello', stoppedBy: 'maxTokens', completionTokens: 2 });
  });

  it('gives back the tokens of a run that breaks off', async () => {
    const broken = await decodeScored(
      scripted([1, 2, 3, END], VOCAB),
      [1],
      options({ stopRuns: [[2, 4]] }).opts,
    );
    expect(broken).toMatchObject({ text: 'Hello wor', stoppedBy: 'eos' });
    expect(broken.scores.tokens.map((t) => t.token)).toEqual(['Hel', 'lo', ' wor']);
  });

  it('keeps the score of a token whose text a stop string cuts in two', async () => {
    // "lo" reaches into "o w": its "l" is in the answer, so its score is too; " wor" has none of it.
    const outcome = await decodeScored(scripted([1, 2, 3], VOCAB), [1], options({ stop: ['o w'] }).opts);
    expect(outcome).toMatchObject({ text: 'Hell', stoppedBy: 'stop' });
    expect(outcome.scores.tokens.map((t) => t.token)).toEqual(['Hel', 'lo']);
  });

  it('finds a stop string in tokens still held when the answer runs out', async () => {
    const { opts } = options({ stop: ['#'], stopRuns: [[5, 6]], maxTokens: 2 });
    const outcome = await decodeScored(scripted([1, 5], VOCAB), [1], opts);
    expect(outcome).toMatchObject({ text: 'Hel', stoppedBy: 'stop' });
  });

  it('holds the bytes of a split character until it is whole', async () => {
    // Tokens 7 and 8 are the two halves of "é": alone each reads as U+FFFD.
    const decoder: StepDecoder = {
      ...scripted([7, 8, END], {}),
      text: (tokens) => (tokens.join() === '7,8' ? 'é' : '\uFFFD'),
    };
    const { opts, chunks } = options();
    const outcome = await decodeScored(decoder, [1], opts);
    expect(chunks.map((c) => c.text)).toEqual(['é']);
    expect(chunks[0]!.logprobs.map((l) => l.bytes)).toEqual([[0xc3], [0xa9]]);
    expect(outcome.text).toBe('é');
  });

  it('gives each step its own seed and penalizes the answer so far, newlines spared', async () => {
    const decoder = scripted([1, 9, 2, END], { 1: 'a', 9: '\n', 2: 'b' });
    await decodeScored(decoder, [1], options({ seed: 100, temperature: 0.5, top: 3 }).opts);
    expect(decoder.samplings.map((s) => s.seed)).toEqual([100, 101, 102, 103]);
    const negative = scripted([1, 2, END], VOCAB);
    await decodeScored(negative, [1], options({ seed: -1 }).opts);
    expect(negative.samplings.map((s) => s.seed)).toEqual([2 ** 31 - 1, 0, 1]);
    expect(decoder.samplings.map((s) => s.penalized)).toEqual([[], [1], [1], [1, 2]]);
    expect(decoder.samplings[0]).toMatchObject({ temperature: 0.5, top: 3 });
  });

  it('asks for the likeliest token only where it is free: with temperature, never at greedy', async () => {
    const topOf = async (temperature: number) => {
      const decoder = scripted([1, END], VOCAB);
      await decodeScored(decoder, [1], options({ temperature, top: 0 }).opts);
      return decoder.samplings[0]!.top;
    };
    expect(await topOf(0)).toBe(0);
    expect(await topOf(0.7)).toBe(1);
  });

  it('drops a character still incomplete when the answer ends, keeping its token scored', async () => {
    const decoder: StepDecoder = {
      ...scripted([1, 7, END], { 1: 'ok' }),
      text: (tokens) => (tokens.includes(7) ? '\uFFFD' : 'ok'),
    };
    const outcome = await decodeScored(decoder, [1], options().opts);
    expect(outcome.text).toBe('ok');
    expect(outcome.scores.tokens).toHaveLength(2);
  });

  it('stops between steps once aborted', async () => {
    const abort = new AbortController();
    const { opts } = options({ signal: abort.signal, onStep: () => abort.abort() });
    const outcome = await decodeScored(scripted([1, 2, 3], VOCAB), [1], opts);
    expect(outcome).toMatchObject({ stoppedBy: 'abort', completionTokens: 1 });
  });
});
