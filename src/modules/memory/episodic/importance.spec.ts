import { estimateImportance, provisionalSummary } from './importance.js';

describe('estimateImportance', () => {
  it('ranks what the user says above what the assistant says', () => {
    expect(estimateImportance('user', 'nice weather')).toBeGreaterThan(
      estimateImportance('assistant', 'nice weather'),
    );
  });

  it.each([
    'Please remember that I park on level 3',
    'My name is Ada',
    "I'm allergic to nuts",
    'never call me before 9',
  ])('lifts an explicit cue: %s', (text) => {
    expect(estimateImportance('user', text)).toBeGreaterThan(estimateImportance('user', 'what time is it'));
  });

  it('stays within 0..1', () => {
    for (const role of ['user', 'assistant']) {
      for (const text of ['', 'remember always important']) {
        const value = estimateImportance(role, text);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('provisionalSummary', () => {
  it('keeps a short text as it is (trimmed)', () => {
    expect(provisionalSummary('  hello there  ')).toBe('hello there');
  });

  it('cuts a long text at a word boundary and marks the cut', () => {
    const text = 'word '.repeat(200);
    const summary = provisionalSummary(text);
    expect(summary.length).toBeLessThanOrEqual(401);
    expect(summary.endsWith('word…')).toBe(true);
  });

  it('cuts a long text without spaces at the limit', () => {
    expect(provisionalSummary('x'.repeat(1000))).toBe(`${'x'.repeat(400)}…`);
  });
});
