import type { Consistency } from '../agent.types.js';
import { unrecognizedImageReply } from '../unrecognized-image.js';
import type { AskDeps, Generation, Recalled, Responded, StreamingStep } from './ask-state.js';
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
 * Self-consistency: `n` answers sampled with some temperature, a majority vote over their final answers, and
 * the winning sample streamed as one piece (the losers are never shown).
 */
async function* sampleAndVote(
  state: Recalled,
  n: number,
  deps: AskDeps,
): StreamingStep<{ generation: Generation; consistency: Consistency }> {
  const { input, route } = state;
  const temperature = Math.max(input.temperature ?? route.profile.temperature, SAMPLING_TEMPERATURE);
  const runs: Generation[] = [];
  const warnings: string[] = [];
  let memory = state.memory;
  for (let i = 0; i < n; i++) {
    const run = generate(state, route, memory, deps, temperature);
    let step = await run.next();
    while (!step.done) step = await run.next(); // tokens of a sample are not streamed
    runs.push(step.value.generation);
    warnings.push(...(step.value.warnings ?? []));
    memory = step.value.generation.memory;
  }
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
    },
    warnings,
  };
}
