import { PERCEPTION_ANSWERER } from '../unrecognized-image.js';
import type { AskDeps, Generation, Responded, StreamingStep } from './ask-state.js';
import type { Route } from '../../routing/routing.service.js';
import { generate } from './generate.js';
import { checkAnswer } from './self-check.js';

/**
 * An unsure answer on a path that escalates is answered again on the medium path, if it has room now; the
 * stream says RESTART before the new tokens. When medium is busy the first answer stands, and the answer says so.
 */
export async function* escalate(
  state: Responded,
  deps: AskDeps,
): StreamingStep<{ route: Route; generation: Generation }> {
  const { generation, route, input, ctx } = state;
  const { text, finishReason, model, scores } = generation.result;
  if (!route.profile.escalate || model === PERCEPTION_ANSWERER) return { route, generation };
  const check = checkAnswer(text, finishReason, input.maxTokens !== undefined);
  const scored = entropyCounts(input, route) && deps.engine.scoresTokens(model);
  const uncertain = scored ? entropyReason(scores?.meanEntropy, route.profile.escalateEntropy) : undefined;
  if (uncertain) check.reasons.push(uncertain);
  if (!check.unsure && uncertain === undefined) return { route, generation };
  const escalation = await deps.routing.escalate(route, check.reasons, ctx);
  if (!escalation) {
    const why = `the answer looked unsure (${check.reasons.join(', ')}) but the medium path was busy`;
    return { route, generation, warnings: [why] };
  }
  try {
    yield { type: 'restart', reason: escalation.route.reason };
    const again = yield* generate(state, escalation.route, generation.memory, deps);
    return { ...again, route: escalation.route };
  } finally {
    escalation.release();
  }
}

/**
 * Whether an answer's entropy means what the path's threshold was calibrated on: it escalates on entropy and
 * the answer was sampled at the path's own temperature (a caller's temperature moves the entropy).
 */
export function entropyCounts(input: Responded['input'], route: Route): boolean {
  const { escalate, escalateEntropy, temperature } = route.profile;
  return escalate && escalateEntropy !== undefined && (input.temperature ?? temperature) === temperature;
}

/** Where the answer was scored and the path has a threshold: a reason when its mean token entropy is above it. */
function entropyReason(entropy: number | undefined, threshold: number | undefined): string | undefined {
  if (entropy === undefined || threshold === undefined || entropy <= threshold) return undefined;
  return `uncertain (mean token entropy ${entropy.toFixed(2)} nats > ${threshold})`;
}
