import type { ChatMessage } from '../../../engines/llm/llm-engine.js';
import type { Conversation, PromptParts } from '../../memory/memory.types.js';

/**
 * The prompt an ask is answered from, laid out stable to volatile so the engine's prompt cache can reuse the
 * longest prefix from one turn to the next: the system prompt (constant), the summary of this conversation's
 * earlier part (changes rarely), the session's recent turns as real chat turns (oldest first, only appended to),
 * then one last user message carrying what changes every turn — current facts, recalled episodes (marked as
 * earlier memories with their date, so the model does not take them for this conversation), what was
 * perceived — followed by the question.
 */
export function assemblePrompt(
  systemPrompt: string,
  { turns, facts, episodes, summary }: PromptParts,
  prompt: string,
  perception = '',
): ChatMessage[] {
  const messages = conversationMessages(systemPrompt, { turns, summary });
  const memories = episodes.map(
    (e) =>
      `- [${new Date(e.createdAt).toISOString().slice(0, 10)}, ${e.role}] ${e.text.replace(/\s+/g, ' ')}`,
  );
  const context = [
    facts.length > 0 ? `Known facts (current):\n${facts.map((f) => `- ${f.text}`).join('\n')}` : '',
    memories.length > 0 ? `Relevant memories from earlier conversations:\n${memories.join('\n')}` : '',
    perception,
  ].filter(Boolean);
  const content = context.length > 0 ? `${context.join('\n\n')}\n\nMessage:\n${prompt}` : prompt;
  messages.push({ role: 'user', content });
  return messages;
}

/**
 * The stable start of every prompt of a session: the system prompt with the summary, then the window's turns.
 * Known before recall, so the engine can evaluate it meanwhile (LlmEngine.prefill).
 */
export function conversationMessages(
  systemPrompt: string,
  { turns, summary }: { turns: readonly Conversation['turns'][number][]; summary?: Conversation['summary'] },
): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const system = [systemPrompt, summary ? `Earlier in this conversation (summarized):\n${summary.text}` : '']
    .filter(Boolean)
    .join('\n\n');
  if (system) messages.push({ role: 'system', content: system });
  for (const turn of turns) messages.push({ role: turn.role, content: turn.text });
  return messages;
}
