import { answerPrompts, candidateAnswers, questionKind } from './visual-question.js';

describe('questionKind', () => {
  it.each([
    ['Is there a dog in the picture?', 'yes-no'],
    ['are these apples', 'yes-no'],
    ['How many people are on the beach?', 'count'],
    ['What color is the car?', 'open'],
    ['Which animal is this?', 'open'],
  ])('%s → %s', (prompt, kind) => {
    expect(questionKind(prompt)).toBe(kind);
  });

  it.each([
    'Why is the sky blue?',
    'Describe this photo',
    'Write a poem about it',
    'what',
    '',
    'x'.repeat(300),
  ])('leaves %j to the LLM', (prompt) => {
    expect(questionKind(prompt)).toBeUndefined();
  });
});

describe('candidate answers and prompts', () => {
  it('uses yes/no, counts 0–10, or the vocabulary', () => {
    expect(candidateAnswers('yes-no', ['red'])).toEqual(['yes', 'no']);
    expect(candidateAnswers('count', ['red'])).toHaveLength(11);
    expect(candidateAnswers('open', ['red', 'blue'])).toEqual(['red', 'blue']);
  });

  it('conditions every candidate on the question', () => {
    const prompts = answerPrompts('How many  dogs?', ['1', '2']);
    expect(prompts).toEqual([
      'a photo. question: How many dogs? answer: 1',
      'a photo. question: How many dogs? answer: 2',
    ]);
  });
});
