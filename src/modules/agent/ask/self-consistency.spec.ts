import { finalAnswer, vote } from './self-consistency.js';

describe('finalAnswer', () => {
  it('takes the last number of a worked answer, ignoring thousands separators', () => {
    expect(finalAnswer('3 * 7 = 21 eaten, so 50 - 21 = 29.\nThe answer is 29 apples.')).toBe('29');
    expect(finalAnswer('Total: 1,250 dollars')).toBe('1250');
    expect(finalAnswer('It drops to -3.50 degrees')).toBe('-3.5');
  });

  it('normalizes the last line of a worded answer', () => {
    expect(finalAnswer('Let me think.\n\n  Yes, Paris!  ')).toBe('yes paris');
    expect(finalAnswer('')).toBe('');
  });
});

describe('vote', () => {
  it('picks the majority answer and the first sample that gave it', () => {
    const result = vote(['so 12', 'I get 14', 'answer: 12', 'it is 12']);
    expect(result.winner).toBe(0);
    expect(result.answers).toEqual(['12', '14', '12', '12']);
    expect(result.agreement).toBe(0.75);
  });

  it('reports diversity 0 when all agree and 1 when all differ', () => {
    expect(vote(['7', 'seven is 7', 'so 7']).diversity).toBe(0);
    expect(vote(['1', '2', '3']).diversity).toBeCloseTo(1, 10);
    expect(vote(['only one']).diversity).toBe(0);
  });

  it('breaks ties by the answer seen first', () => {
    expect(vote(['a', 'b', 'b', 'a']).winner).toBe(0);
  });

  it('refuses to vote on nothing', () => {
    expect(() => vote([])).toThrow('nothing to vote on');
  });
});
