import type { ChatMessage } from '../../../engines/llm/llm-engine.js';

/** A turn as the summarizer reads it. */
export interface SummarySource {
  id: string;
  role: string;
  text: string;
  createdAt: number;
}

// A turn longer than this share of a pass's input is clipped in the prompt (it stays whole in memory).
const CHARS_PER_TOKEN = 4;

/**
 * The turns a summarizing pass should read: those older than the window's oldest turn that the previous summary
 * does not cover, oldest first, as many as fit `budget` tokens (at least one, so a huge turn cannot stall it).
 * `overflowed` is what all such turns cost, `left` how many do not fit this pass.
 */
export function turnsToSummarize<T extends SummarySource>(
  since: readonly T[],
  costs: readonly number[],
  windowStart: number,
  covered: ReadonlySet<string>,
  budget: number,
): { take: T[]; tokens: number; overflowed: number; left: number } {
  const out = since
    .map((turn, i) => ({ turn, cost: costs[i]! }))
    .filter(({ turn }) => turn.createdAt < windowStart && !covered.has(turn.id));
  let tokens = 0;
  let n = 0;
  while (n < out.length && (n === 0 || tokens + out[n]!.cost <= budget)) tokens += out[n++]!.cost;
  const overflowed = out.reduce((sum, o) => sum + o.cost, 0);
  return { take: out.slice(0, n).map((o) => o.turn), tokens, overflowed, left: out.length - n };
}

/**
 * A rolling summary: the previous summary and the turns after it become one new summary, in the user's terms
 * (names, numbers, dates, decisions, preferences kept), at most `words` long.
 */
export function summaryMessages(
  previous: string | undefined,
  turns: readonly SummarySource[],
  words: number,
  clipTokens: number,
): ChatMessage[] {
  const clip = clipTokens * CHARS_PER_TOKEN;
  const lines = turns.map((t) => {
    const text = t.text.replace(/\s+/g, ' ').trim();
    return `${t.role}: ${text.length > clip ? `${text.slice(0, clip)} […]` : text}`;
  });
  return [
    {
      role: 'system',
      content:
        'You keep the running summary of a conversation between a user and an assistant. Rewrite the summary ' +
        'so far together with the new turns as one summary in plain sentences. Keep names, numbers, dates, ' +
        'decisions, preferences and open questions; drop greetings and filler. Write about the user in the ' +
        `third person. At most ${words} words, no preamble.`,
    },
    {
      role: 'user',
      content: `${previous ? `Summary so far:\n${previous}\n\n` : ''}New turns:\n${lines.join('\n')}`,
    },
  ];
}
