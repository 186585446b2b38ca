import { checkAnswer } from './self-check.js';

describe('checkAnswer', () => {
  it('accepts a plain complete answer', () => {
    expect(checkAnswer('Paris is the capital of France.', 'stop', false)).toEqual({
      unsure: false,
      reasons: [],
    });
  });

  it('flags an empty answer', () => {
    expect(checkAnswer('  \n', 'stop', false).reasons).toEqual(['empty answer']);
  });

  it('flags an answer cut off by the path’s limit, but not by the caller’s own limit', () => {
    expect(checkAnswer('The answer is', 'length', false).reasons).toEqual([
      'cut off at the path’s token limit',
    ]);
    expect(checkAnswer('The answer is', 'length', true).unsure).toBe(false);
  });

  it.each([
    "I'm not sure, maybe 42.",
    'I do not know.',
    'It depends on many things.',
    "I can't answer that.",
  ])('flags a hedge or refusal: %s', (text) => {
    const check = checkAnswer(text, 'stop', false);
    expect(check.unsure).toBe(true);
    expect(check.reasons[0]).toMatch(/^hedged \(".+"\)$/);
  });

  it('does not mistake words inside others for hedges', () => {
    expect(
      checkAnswer('The dependency graph is acyclic; unclearly named nodes aside.', 'stop', false).unsure,
    ).toBe(false);
  });
});
