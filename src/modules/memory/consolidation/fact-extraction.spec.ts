import { extractionMessages, parseExtraction } from './fact-extraction.js';

describe('fact extraction', () => {
  it('reads the facts of an answer and drops blank or symbol-only parts', () => {
    const answer = JSON.stringify({
      facts: [
        { subject: ' Ada ', subjectType: 'person', predicate: 'lives in', object: 'London', objectType: '' },
        { subject: '', subjectType: '', predicate: 'is', object: 'x', objectType: '' },
        { subject: '!!', subjectType: '', predicate: 'is', object: 'x', objectType: '' },
      ],
    });
    expect(parseExtraction(answer)).toEqual([
      {
        subject: 'Ada',
        subjectType: 'person',
        predicate: 'lives in',
        object: 'London',
        objectType: undefined,
      },
    ]);
  });

  it('throws on an answer outside the schema', () => {
    expect(() => parseExtraction('{"facts": [{"subject": 1}]}')).toThrow();
    expect(() => parseExtraction('not json')).toThrow();
  });

  it('puts the episode text in the user turn', () => {
    expect(extractionMessages('I moved to Paris.').at(-1)).toEqual({
      role: 'user',
      content: 'I moved to Paris.',
    });
  });
});
