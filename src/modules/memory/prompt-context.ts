import type { ChatMessage } from '../../engines/llm/llm-engine.js';
import type { Turn } from './working/working-memory.store.js';

/** A current fact about an entity the request names, rendered as one line. */
export interface RecalledFact {
  id: string;
  text: string;
}

export interface RecalledEpisode {
  id: string;
  role: string;
  /** What goes into the prompt: the summary of the episode. */
  text: string;
  createdAt: number;
}

/** What memory contributes to one prompt. */
export interface PromptParts {
  turns: readonly Turn[];
  facts: readonly RecalledFact[];
  episodes: readonly RecalledEpisode[];
  /** The session's summary of the turns that overflowed its window (they come right before `turns`). */
  summary?: RecalledEpisode;
}

/**
 * The prompt an ask is answered from: the system prompt with current facts and recalled episodes appended
 * (marked as earlier memories with their date, so the model does not mistake them for the current
 * conversation), then the summary of this conversation's earlier part, then the session's recent turns as real
 * chat turns, then the new question.
 */
export function assemblePrompt(
  systemPrompt: string,
  { turns, facts, episodes, summary }: PromptParts,
  prompt: string,
  perception = '',
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const memories = episodes.map(
    (e) =>
      `- [${new Date(e.createdAt).toISOString().slice(0, 10)}, ${e.role}] ${e.text.replace(/\s+/g, ' ')}`,
  );
  const system = [
    systemPrompt,
    facts.length > 0 ? `Known facts (current):\n${facts.map((f) => `- ${f.text}`).join('\n')}` : '',
    memories.length > 0 ? `Relevant memories from earlier conversations:\n${memories.join('\n')}` : '',
    perception,
    summary ? `Earlier in this conversation (summarized):\n${summary.text}` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const turn of turns) messages.push({ role: turn.role, content: turn.text });
  messages.push({ role: 'user', content: prompt });
  return messages;
}

/** Takes items in order while their token costs fit the budget; skips (not stops at) one that is too big. */
export function fitToBudget<T>(items: readonly T[], cost: (item: T) => number, budget: number): T[] {
  const kept: T[] = [];
  let used = 0;
  for (const item of items) {
    const c = cost(item);
    if (used + c > budget) continue;
    used += c;
    kept.push(item);
  }
  return kept;
}
