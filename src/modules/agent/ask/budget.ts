import { tokensFor } from '../request-limits.js';
import type { Addition, AskDeps, Budgeted, Perceived } from './ask-state.js';
import { fitText, memoryBudget } from './prompt-budget.js';

/**
 * The prompt's budget: the answer's token room is reserved first, then what was perceived (it is what the
 * question is about) gets up to half of what is left, and memory gets the rest.
 */
export async function budget(
  state: Perceived,
  deps: AskDeps,
): Promise<Addition<Pick<Budgeted, 'perception' | 'memoryTokens'>>> {
  const { input, route, percept } = state;
  const { profile } = route;
  const { engine, config } = deps;
  const model = input.model ?? route.model;
  const room = await memoryBudget(
    engine,
    {
      model,
      prompt: input.prompt,
      maxTokens: tokensFor(input.maxTokens, profile),
      systemPrompt: config.llm.systemPrompt,
    },
    { configured: config.llm.contextSize, path: profile.contextSize },
  );
  const text = await fitText(engine, percept?.context ?? '', Math.floor(room / 2), model);
  const memoryTokens = room - (text ? await engine.countTokens(text, model) : 0);
  const capped = input.maxTokens !== undefined && input.maxTokens > profile.maxTokens;
  return {
    perception: { text, images: percept?.llmImages ?? [] },
    memoryTokens,
    warnings: capped
      ? [`maxTokens ${input.maxTokens} was capped at the ${route.path} path's ${profile.maxTokens}`]
      : [],
  };
}
