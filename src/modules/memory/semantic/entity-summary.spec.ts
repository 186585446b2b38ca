import { firstVersion, type FactView } from './graph-store.js';
import { entitySummary } from './entity-summary.js';

const fact = (subjectId: string, subject: string, predicate: string, object: string): FactView => ({
  id: `${subject}-${predicate}`,
  ...firstVersion(`${subject}-${predicate}`),
  tenant: 't',
  subjectId,
  subject,
  predicate,
  objectId: `${object}-id`,
  object,
  validFrom: 0,
  validTo: null,
  createdAt: 0,
  expiredAt: null,
  confidence: 1,
  episodes: [],
});
const ada = { id: 'ada', name: 'Ada Lovelace', type: 'person' };

describe('entitySummary', () => {
  it('says what the entity is, then what its facts say of it, from either end', () => {
    expect(
      entitySummary(ada, [
        fact('ada', 'Ada Lovelace', 'lives_in', 'London'),
        fact('babbage', 'Babbage', 'worked_with', 'Ada Lovelace'),
      ]),
    ).toBe('Ada Lovelace (person): lives in London; Babbage worked with it');
  });

  it('is just the name for an entity of unknown type without facts', () => {
    expect(entitySummary({ id: 'x', name: 'the Notes', type: 'thing' }, [])).toBe('the Notes');
  });

  it('mentions at most eight facts and stays one short line', () => {
    const many = Array.from({ length: 20 }, (_, i) =>
      fact('ada', 'Ada', 'wrote', `a rather long title of a paper, number ${i}`),
    );
    const summary = entitySummary(ada, many);
    expect(summary.length).toBeLessThanOrEqual(280);
    expect(summary).not.toContain('number 8');
    expect(summary.endsWith('…')).toBe(true);
  });
});
