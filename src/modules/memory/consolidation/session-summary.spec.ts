import { summaryMessages, turnsToSummarize } from './session-summary.js';

const turn = (id: string, createdAt: number, text = id) => ({ id, role: 'user', text, createdAt });

describe('turnsToSummarize', () => {
  const since = [turn('a', 1), turn('b', 2), turn('c', 3), turn('d', 4), turn('e', 5)];
  const costs = [10, 20, 30, 40, 50];

  it('takes the uncovered turns older than the window, oldest first, while they fit the budget', () => {
    const picked = turnsToSummarize(since, costs, 5, new Set(['a']), 55);
    expect(picked.take.map((t) => t.id)).toEqual(['b', 'c']);
    expect(picked).toMatchObject({ tokens: 50, overflowed: 90, left: 1 });
  });

  it('takes one turn even when it alone is over the budget, so a huge turn cannot stall summaries', () => {
    const picked = turnsToSummarize(since, costs, 5, new Set(), 5);
    expect(picked.take.map((t) => t.id)).toEqual(['a']);
    expect(picked.left).toBe(3);
  });

  it('takes nothing when every older turn is covered, and everything when the window is empty', () => {
    expect(turnsToSummarize(since, costs, 3, new Set(['a', 'b']), 100).take).toEqual([]);
    expect(turnsToSummarize(since, costs, Infinity, new Set(), 1000).take).toHaveLength(5);
  });
});

describe('summaryMessages', () => {
  it('rolls the previous summary and the new turns into one request with a word limit', () => {
    const [system, user] = summaryMessages('Ada likes tea.', [turn('a', 1, 'I moved\nto Turin')], 40, 100);
    expect(system!.content).toContain('At most 40 words');
    expect(user!.content).toBe('Summary so far:\nAda likes tea.\n\nNew turns:\nuser: I moved to Turin');
  });

  it('clips a turn longer than the pass can read (it stays whole in memory)', () => {
    const [, user] = summaryMessages(undefined, [turn('a', 1, 'x'.repeat(100))], 10, 5);
    expect(user!.content).toBe(`New turns:\nuser: ${'x'.repeat(20)} […]`);
  });
});
