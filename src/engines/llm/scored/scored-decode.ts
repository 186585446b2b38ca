import type { GenerationScores, TokenLogprob } from '../llm-engine.js';
import { ScoredStream } from './scored-stream.js';
import type { StepScores } from './token-scores.js';

/** How one step samples: the request's settings, this step's seed, the tokens penalized for repeating. */
export interface StepSampling {
  temperature?: number;
  topP?: number;
  seed: number;
  penalized: number[];
  /** Likeliest tokens whose logits come back. */
  top: number;
}

/** One sequence of a loaded model, one sampling step at a time (the adapter implements it over llama.cpp). */
export interface StepDecoder {
  /** Evaluates `tokens` onto the sequence and samples the next token; undefined when nothing could be sampled. */
  step(tokens: number[], sampling: StepSampling): Promise<StepScores | undefined>;
  /** End-of-generation tokens (EOS, end of turn). */
  isEnd(token: number): boolean;
  /** The text of `tokens` when they follow `before` (some tokenizers' pieces depend on what precedes them). */
  text(tokens: number[], before: number[]): string;
  /** The newline token, which the repeat penalty spares. */
  newline?: number;
}

export interface ScoredDecodeOptions {
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Strings that end the answer (not included in it). */
  stop: readonly string[];
  /** Token runs that end the answer: the chat template's end-of-turn markers. */
  stopRuns: readonly (readonly number[])[];
  /** Alternatives reported per token. */
  top: number;
  signal: AbortSignal;
  /** Released text with the scores of the tokens it completes. */
  onText: (text: string, logprobs: TokenLogprob[]) => void;
  /** Called after each sampling step (the first marks time to first token). */
  onStep: () => void;
}

export interface ScoredDecodeOutcome {
  text: string;
  stoppedBy: 'eos' | 'stop' | 'maxTokens' | 'abort';
  /** Every sampled token, the end token included. */
  completionTokens: number;
  scores: GenerationScores;
}

// As LlamaChat does: the answer's last 64 tokens are penalized for repeating, newlines excepted.
const REPEAT_PENALTY_TOKENS = 64;

/**
 * Generates from `input` (the prompt's tokens the sequence does not hold yet), scoring each token, streaming
 * released text with its tokens' scores; text that could begin a stop string is held until it is known.
 */
export async function decodeScored(
  decoder: StepDecoder,
  input: number[],
  options: ScoredDecodeOptions,
): Promise<ScoredDecodeOutcome> {
  const stream = new ScoredStream(options, (tokens, before) => decoder.text(tokens, before));
  let next = input;
  let sampled = 0;
  let stoppedBy: ScoredDecodeOutcome['stoppedBy'] = 'maxTokens';
  const seed = options.seed ?? Math.floor(Math.random() * SEEDS);
  // The likeliest token's logit is needed for any log probability. Greedy sampling chose it; with temperature,
  // top-k has already sorted the candidates, so asking for one costs nothing — asking at greedy would sort them all.
  const greedy = !(options.temperature !== undefined && options.temperature > 0);
  const top = options.top > 0 ? options.top : greedy ? 0 : 1;
  const { temperature, topP } = options;
  while (sampled < options.maxTokens) {
    if (options.signal.aborted) {
      stoppedBy = 'abort';
      break;
    }
    const penalized = stream.generated.slice(-REPEAT_PENALTY_TOKENS).filter((t) => t !== decoder.newline);
    const step = await decoder.step(next, {
      temperature,
      topP,
      seed: stepSeed(seed, sampled),
      penalized,
      top,
    });
    sampled++;
    options.onStep();
    const added = !step || decoder.isEnd(step.token) ? 'end' : stream.add(step);
    if (added !== 'more') {
      stoppedBy = added === 'end' ? 'eos' : 'stop';
      break;
    }
    next = [step!.token];
  }
  if (stoppedBy !== 'stop' && stream.finish()) stoppedBy = 'stop';
  return { text: stream.text, stoppedBy, completionTokens: sampled, scores: stream.scores() };
}

// llama.cpp's seeds are non-negative 31-bit here (node-llama-cpp clamps below 0 to 0).
const SEEDS = 2 ** 31;

/**
 * Each step samples with a fresh sampler, so each gets its own seed — one seed would draw the same number at
 * every step — derived from the request's, any integer, negative ones included.
 */
function stepSeed(seed: number, step: number): number {
  return (((Math.trunc(seed) + step) % SEEDS) + SEEDS) % SEEDS;
}
