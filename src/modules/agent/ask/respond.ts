import type { Consistency } from '../agent.types.js';
import { unrecognizedImageReply } from '../unrecognized-image.js';
import type { AskDeps, Generation, Recalled, Responded, StreamingStep } from './ask-state.js';
import { drawSamples, type Drawn } from './draw-samples.js';
import { generate } from './generate.js';
import { vote } from './self-consistency.js';

// Samples need to differ to be worth a vote.
const SAMPLING_TEMPERATURE = 0.7;

/**
 * The answer: an honest reply without the LLM when the ask's images were not recognized; on the deep path with
 * samples, the majority of several; else one generation, streamed.
 */
export async function* respond(
  state: Recalled,
  deps: AskDeps,
): StreamingStep<Pick<Responded, 'generation' | 'consistency'>> {
  const { percept, route, input, memory } = state;
  if (percept?.imagesUnrecognized) {
    const result = unrecognizedImageReply(percept);
    yield { type: 'token', text: result.text };
    return { generation: { result, memory, messages: [] }, consistency: undefined };
  }
  const samples = route.path === 'deep' ? (input.samples ?? route.profile.samples) : 1;
  if (samples > 1) return yield* sampleAndVote(state, samples, deps);
  const single = yield* generate(state, route, memory, deps);
  return { ...single, consistency: undefined };
}

/**
 * Self-consistency: `n` answers sampled with some temperature — spread over the path's ensemble when it has
 * one — a majority vote over their final answers, and the winning sample streamed as one piece (the losers are
 * never shown).
 */
async function* sampleAndVote(
  state: Recalled,
  n: number,
  deps: AskDeps,
): StreamingStep<{ generation: Generation; consistency: Consistency }> {
  const { input, route } = state;
  const temperature = Math.max(input.temperature ?? route.profile.temperature, SAMPLING_TEMPERATURE);
  // A caller who names a model gets every sample from it.
  const members = input.model === undefined && route.ensemble.length > 0 ? route.ensemble : [route.model];
  const models = Array.from({ length: n }, (_, i) => members[i % members.length]);
  const { runs, warnings } = await drawSamples(models, (model, failed) => {
    const ctx = { ...state.ctx, signal: AbortSignal.any([state.ctx.signal, failed]) };
    return drain(generate({ ...state, ctx }, { ...route, model }, state.memory, deps, temperature));
  });
  const ballot = vote(runs.map((r) => r.result.text));
  const generation = runs[ballot.winner]!;
  yield { type: 'token', text: generation.result.text };
  const totalCompletionTokens = runs.reduce((sum, r) => sum + r.result.usage.completionTokens, 0);
  return {
    generation,
    consistency: {
      samples: n,
      agreement: ballot.agreement,
      diversity: ballot.diversity,
      totalCompletionTokens,
      models: runs.map((r) => r.result.model),
    },
    warnings,
  };
}

/** Runs a generation whose tokens are not streamed to its end. */
async function drain(run: StreamingStep<{ generation: Generation }>): Promise<Drawn> {
  let step = await run.next();
  while (!step.done) step = await run.next();
  return step.value;
}
