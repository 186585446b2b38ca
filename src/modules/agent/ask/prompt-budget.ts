import type { LlmEngine } from '../../../engines/llm/llm-engine.js';
import { MESSAGE_OVERHEAD, type PromptMemory } from '../../memory/memory.types.js';

// Room kept free for the chat template around system prompt and question.
const TEMPLATE_RESERVE = 32;
const CUT_MARKER = ' […cut to fit the context]';

/**
 * Prompt tokens memory may use: the path's context (capped by the model's) minus the question, the system
 * prompt, the template and all of the answer's token limit — memory never squeezes the answer.
 */
export async function memoryBudget(
  engine: Pick<LlmEngine, 'models' | 'countTokens'>,
  request: { model: string | undefined; prompt: string; maxTokens: number; systemPrompt: string },
  context: { configured: number; path: number },
): Promise<number> {
  const { model, prompt, maxTokens, systemPrompt } = request;
  const served = engine.models();
  const info = served.find((m) => m.name === model) ?? served.find((m) => m.isDefault) ?? served[0];
  const contextSize = Math.min(context.path, info?.contextSize ?? context.configured);
  const [question, system] = await Promise.all([
    engine.countTokens(prompt, model),
    engine.countTokens(systemPrompt, model),
  ]);
  return contextSize - question - system - maxTokens - 2 * MESSAGE_OVERHEAD - TEMPLATE_RESERVE;
}

/** The longest prefix of the text (marked as cut) that costs at most `tokens`; empty when nothing fits. */
export async function fitText(
  engine: Pick<LlmEngine, 'countTokens'>,
  text: string,
  tokens: number,
  model?: string,
): Promise<string> {
  if (!text || (await engine.countTokens(text, model)) <= tokens) return text;
  let [low, high] = [0, text.length];
  while (high - low > 16) {
    const middle = Math.floor((low + high) / 2);
    if ((await engine.countTokens(text.slice(0, middle) + CUT_MARKER, model)) <= tokens) low = middle;
    else high = middle;
  }
  return low === 0 ? '' : text.slice(0, low) + CUT_MARKER;
}

/**
 * Less memory for a retry: first no episodes, then no facts, then no summary, then the newer half of the turns;
 * undefined when none is left.
 */
export function shrink(memory: PromptMemory): PromptMemory | undefined {
  if (memory.episodes.length > 0) return { ...memory, episodes: [] };
  if (memory.facts.length > 0) return { ...memory, facts: [] };
  if (memory.summary) return { ...memory, summary: undefined };
  if (memory.turns.length === 0) return undefined;
  let turns = memory.turns.slice(Math.ceil(memory.turns.length / 2));
  if (turns[0]?.role === 'assistant') turns = turns.slice(1);
  return { ...memory, turns };
}
