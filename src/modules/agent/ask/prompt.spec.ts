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

  it('puts recalled episodes in the last user message, dated and attributed, one line each, before the question', () => {
    const messages = assemblePrompt(
      'Be brief.',
      {
        episodes: [
          { id: 'e1', role: 'user', text: 'my cat is\ncalled Tom', createdAt: Date.UTC(2026, 10, 20) },
        ],
        facts: [],
        turns: [turn(1, 'user', 'hi')],
      },
      'what is my cat called?',
    );
    expect(messages[0]).toEqual({ role: 'system', content: 'Be brief.' });
    expect(messages[1]).toEqual({ role: 'user', content: 'hi' });
    expect(messages.at(-1)).toEqual({
      role: 'user',
      content:
        'Relevant memories from earlier conversations:\n- [2026-11-20, user] my cat is called Tom\n\n' +
        'Message:\nwhat is my cat called?',
    });
  });

  it('has no system message when there is neither a system prompt nor a summary', () => {
    expect(assemblePrompt('', { episodes: [], facts: [], turns: [] }, 'q')).toEqual([
      { role: 'user', content: 'q' },
    ]);
  });

  it('lays out stable to volatile: system prompt and summary, turns, then facts, perception and question', () => {
    const messages = assemblePrompt(
      'Be brief.',
      {
        episodes: [],
        facts: [{ id: 'f1', text: 'Ada lives in London' }],
        turns: [turn(9, 'user', 'and then?')],
        summary: { id: 's1', role: 'summary', text: 'The user planned a trip to Turin.', createdAt: 0 },
      },
      'q',
      'The image shows: a cat.',
    );
    expect(messages.map((m) => m.content)).toEqual([
      'Be brief.\n\nEarlier in this conversation (summarized):\nThe user planned a trip to Turin.',
      'and then?',
      'Known facts (current):\n- Ada lives in London\n\nThe image shows: a cat.\n\nMessage:\nq',
    ]);
  });

  it('keeps the messages before the last one identical when only this turn’s memories change', () => {
    const parts = { facts: [], turns: [turn(1, 'user', 'hi'), turn(2, 'assistant', 'hello')] };
    const memory = (text: string) => ({ id: text, role: 'user', text, createdAt: 0 });
    const first = assemblePrompt('Be brief.', { ...parts, episodes: [memory('one')] }, 'a?');
    const second = assemblePrompt('Be brief.', { ...parts, episodes: [memory('two')] }, 'b?');
    expect(second.slice(0, -1)).toEqual(first.slice(0, -1));
    expect(second.at(-1)).not.toEqual(first.at(-1));
  });
});
