import type { Turn } from '../../memory/memory.types.js';
import { assemblePrompt } from './prompt.js';

const turn = (seq: number, role: 'user' | 'assistant', text: string): Turn => ({
  id: `t${seq}`,
  seq,
  role,
  text,
  tokens: 1,
  createdAt: 0,
});

describe('assemblePrompt', () => {
  it('is system prompt, recent turns, then the question when nothing is recalled', () => {
    const messages = assemblePrompt(
      'Be brief.',
      { episodes: [], facts: [], turns: [turn(1, 'user', 'hi'), turn(2, 'assistant', 'hello')] },
      'and?',
    );
    expect(messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'and?' },
    ]);
  });

  it('puts recalled episodes in the system message, dated and attributed, on one line each', () => {
    const messages = assemblePrompt(
      'Be brief.',
      {
        episodes: [
          { id: 'e1', role: 'user', text: 'my cat is\ncalled Tom', createdAt: Date.UTC(2026, 10, 20) },
        ],
        facts: [],
        turns: [],
      },
      'what is my cat called?',
    );
    expect(messages[0]!.content).toBe(
      'Be brief.\n\nRelevant memories from earlier conversations:\n- [2026-11-20, user] my cat is called Tom',
    );
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'what is my cat called?' });
  });

  it('has no system message when there is neither a system prompt nor a memory', () => {
    expect(assemblePrompt('', { episodes: [], facts: [], turns: [] }, 'q')).toEqual([
      { role: 'user', content: 'q' },
    ]);
  });

  it('puts the summary of the earlier conversation last in the system message, before the recent turns', () => {
    const messages = assemblePrompt(
      'Be brief.',
      {
        episodes: [],
        facts: [{ id: 'f1', text: 'Ada lives in London' }],
        turns: [turn(9, 'user', 'and then?')],
        summary: { id: 's1', role: 'summary', text: 'The user planned a trip to Turin.', createdAt: 0 },
      },
      'q',
    );
    expect(messages[0]!.content).toBe(
      'Be brief.\n\nKnown facts (current):\n- Ada lives in London\n\n' +
        'Earlier in this conversation (summarized):\nThe user planned a trip to Turin.',
    );
    expect(messages.slice(1).map((m) => m.content)).toEqual(['and then?', 'q']);
  });
});
