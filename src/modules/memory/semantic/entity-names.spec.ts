import { nameTokens, normalizeName, normalizePredicate, wordsContained } from './entity-names.js';

describe('entity names', () => {
  it('normalizes case, accents’ composition, punctuation and spaces', () => {
    expect(normalizeName('  Ada   LOVELACE! ')).toBe('ada lovelace');
    expect(normalizeName('O’Brien-Smith, Jr.')).toBe('o brien-smith jr');
    expect(normalizeName('Cafe\u0301')).toBe('café');
  });

  it('spells predicates one way', () => {
    expect(normalizePredicate('Lives in')).toBe('lives_in');
    expect(normalizePredicate('  works-at ')).toBe('works_at');
  });

  it('matches on words of three letters or more', () => {
    expect(nameTokens('ada of lovelace')).toEqual(['ada', 'lovelace']);
  });

  it('knows when one name’s words are all in the other', () => {
    expect(wordsContained('ada', 'ada lovelace')).toBe(true);
    expect(wordsContained('ada lovelace', 'lovelace')).toBe(true);
    expect(wordsContained('adam', 'ada lovelace')).toBe(false);
  });
});
