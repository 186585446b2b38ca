import type { ChatMessage } from '../../../engines/llm/llm-engine.js';
import type { PromptParts } from '../../memory/memory.types.js';

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
