import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import { cancelledError } from '../../../common/abort.js';
import type { CallContext } from '../../../common/call-context.js';
import { contextWithSpan, endSpan, startSpan } from '../../../telemetry/tracing.js';
import type { AgentAnswer, AgentEvent } from '../agent.types.js';
import type { AskInput } from '../dto/ask.input.js';
import { assertPromptSize } from '../request-limits.js';
import type { Addition, AskDeps, Asked, Responded } from './ask-state.js';
import { budget } from './budget.js';
import { escalate } from './escalate.js';
import { perceive } from './perceive.js';
import { recall } from './recall.js';
import { remember } from './remember.js';
import { respond } from './respond.js';
import { routeAndAdmit } from './route-and-admit.js';

/**
 * The ask pipeline: route and admit → perceive → budget → recall → respond → escalate → remember, then one
 * answer. Routing and admission come first so a refused ask costs nothing (not even decoding its media); the
 * exchange is remembered before the answer is final; the path's slot is held until then and released however
 * the ask ends.
 */
export class AskPipeline {
  constructor(private readonly deps: AskDeps) {}

  /** Streams one ask's events inside its `ask` span (what the per-path latency targets are measured on). */
  async *run(input: AskInput, caller: CallContext): AsyncIterable<AgentEvent> {
    const span = startSpan('ask', caller.trace);
    const ctx = { ...caller, trace: contextWithSpan(span, caller.trace) };
    let failure: unknown;
    let answered = false;
    try {
      assertPromptSize(input.prompt.length, this.deps.config.llm.contextSize);
      for await (const event of this.steps(input, ctx, span)) {
        if (event.type === 'answer') answered = true;
        yield event;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // A consumer that stopped listening before the answer cancelled the ask; it did not succeed quickly.
      endSpan(span, failure ?? (answered ? undefined : cancelledError('the client stopped listening')));
    }
  }

  private async *steps(input: AskInput, ctx: CallContext, span: Span): AsyncGenerator<AgentEvent> {
    const deps = this.deps;
    const asked: Asked = { input, ctx, sessionId: input.sessionId ?? `s-${randomUUID()}`, warnings: [] };
    const admitted = merge(asked, await routeAndAdmit(asked, deps));
    span.setAttribute('mneme.route.path', admitted.route.path);
    try {
      const perceived = merge(admitted, await perceive(admitted, deps));
      const budgeted = merge(perceived, await budget(perceived, deps));
      const recalled = merge(budgeted, await recall(budgeted, deps));
      const responded = merge(recalled, yield* respond(recalled, deps));
      const escalated = merge(responded, yield* escalate(responded, deps));
      const remembered = merge(escalated, await remember(escalated, deps));
      // The work is done once the answer exists: free the slot even if the consumer never asks for more.
      admitted.release();
      span.setAttributes({
        'mneme.llm.ttft_ms': remembered.generation.result.timings.ttftMs,
        'mneme.route.final_path': remembered.route.path,
      });
      yield { type: 'answer', answer: answerOf(remembered) };
    } finally {
      admitted.release();
    }
  }
}

/** A state with a step's addition: its fields over the state's, its warnings after the state's. */
function merge<S extends Asked, T>(state: S, addition: Addition<T>): S & T {
  const { warnings = [], ...fields } = addition;
  return { ...state, ...(fields as T), warnings: [...state.warnings, ...warnings] };
}

function answerOf(state: Responded & { remembered: string[] }): AgentAnswer {
  const { generation, route, percept, consistency, sessionId, skipped, remembered } = state;
  const { memory } = generation;
  const used = [
    ...memory.turns.map((t) => ({ id: t.id, tier: 'working' as const })),
    ...(memory.summary ? [{ id: memory.summary.id, tier: 'episodic' as const }] : []),
    ...memory.facts.map((f) => ({ id: f.id, tier: 'semantic' as const })),
    ...memory.episodes.map((e) => ({ id: e.id, tier: 'episodic' as const })),
  ];
  return {
    result: generation.result,
    route,
    perception: percept,
    consistency,
    sessionId,
    memory: { used, remembered, degraded: memory.degraded, skipped, warnings: [...new Set(state.warnings)] },
    context: generation.messages,
  };
}
