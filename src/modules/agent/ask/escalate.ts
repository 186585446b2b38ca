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
  const { text, finishReason, model } = generation.result;
  const check = checkAnswer(text, finishReason, input.maxTokens !== undefined);
  if (!route.profile.escalate || !check.unsure || model === PERCEPTION_ANSWERER) return { route, generation };
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
