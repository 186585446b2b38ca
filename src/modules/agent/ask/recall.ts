import type { MemoryTierName, PromptMemory } from '../../memory/memory.types.js';
import type { Route } from '../../routing/routing.service.js';
import type { Addition, AskDeps, Budgeted, Recalled } from './ask-state.js';
import { conversationMessages } from './prompt.js';

const NO_MEMORY: PromptMemory = { turns: [], facts: [], episodes: [], degraded: [] };

/**
 * The session's turns, relevant episodes and known facts, as deep as the path recalls and as the budget allows.
 * The turns come first and are known before anything is searched: the engine evaluates them (the prompt's stable
 * start) while facts and episodes are recalled, so the answer's first token waits for the longer of the two.
 */
export async function recall(
  state: Budgeted,
  deps: AskDeps,
): Promise<Addition<Pick<Recalled, 'memory' | 'skipped'>>> {
  const { input, route, sessionId, memoryTokens, percept, ctx } = state;
  const { tiers, skipped, warnings } = shed(route, deps);
  if (memoryTokens <= 0) return { memory: NO_MEMORY, skipped, warnings };
  const conversation = await deps.memory.conversation(sessionId, memoryTokens, tiers, ctx);
  const prefilled = deps.engine.prefill(
    {
      model: input.model ?? route.model,
      messages: conversationMessages(deps.config.llm.systemPrompt, conversation),
      sessionId,
    },
    ctx,
  );
  try {
    const memory = await deps.memory.forPrompt(
      input.prompt,
      sessionId,
      memoryTokens,
      { tiers, recallItems: route.profile.recallItems, neighborhoodHops: route.profile.neighborhoodHops },
      ctx,
      percept?.vectors,
      conversation,
    );
    return { memory, skipped, warnings };
  } finally {
    // The generation must find the sequence free again, holding what was prefilled.
    await prefilled.catch(() => undefined);
  }
}

/**
 * The route's tiers, less those the fast path skips while their stage breaches its latency target
 * (MNEME_SLO_SHED_FAST); each skip is said in the answer's warnings.
 */
function shed(route: Route, deps: AskDeps) {
  const tiers = [...route.profile.memoryTiers];
  if (route.path !== 'fast') return { tiers, skipped: [] as MemoryTierName[], warnings: [] };
  const skipped: MemoryTierName[] = [];
  const warnings: string[] = [];
  for (const tier of tiers) {
    const breach = deps.slo.shedOnFast(`memory.${tier}`);
    if (!breach) continue;
    skipped.push(tier);
    warnings.push(
      `${tier} memory skipped on the fast path: memory.${tier} p95 ${Math.round(breach.p95)} ms is over ` +
        `its ${breach.target} ms target`,
    );
  }
  return { tiers: tiers.filter((t) => !skipped.includes(t)), skipped, warnings };
}
