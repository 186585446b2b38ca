import { choiceLabel, finalNumber, yesNo } from './answer-extraction.js';

describe('the final number of an answer (GSM8K, SVAMP)', () => {
  it.each([
    ['She has 36 - 7 = 29 pencils.\n#### 29', 29],
    ['Together they cost $1,335.', 1335],
    ['The answer is -6 degrees.', -6],
    ['It comes to 2.5 litres, so the answer: 2.50 L', 2.5],
    ['First 12, then 30, so 42 apples in all', 42],
    ['#### 1,000,000 dollars', 1_000_000],
    ['Counting 3, 4 and 5 gives 12', 12],
    ['18.', 18],
    ['5 + 3 = 8 apples. He gives away 2, so 6 are left.', 6], // `=` is no cue: worked steps have many
    ['Read pages 3 - 5', 5], // a spaced hyphen is no minus
  ])('%j → %d', (answer, expected) => {
    expect(finalNumber(answer)).toBe(expected);
  });

  it('answers null when the text has no number', () => {
    expect(finalNumber('I cannot tell.')).toBeNull();
    expect(finalNumber('#### none')).toBeNull();
  });

  it('prefers the number after the last cue to a later stray one', () => {
    expect(finalNumber('The answer is 7. (Checked in 2 ways.)')).toBe(7);
  });
});

describe('yes or no (StrategyQA)', () => {
  it.each([
    ['Yes, it could.', 'yes'],
    ['No. A goldfish needs more water.', 'no'],
    ['That is true: the sun is hotter.', 'yes'],
    ['False — it would not survive', 'no'],
    ['Maybe.', null],
    ['Nobody knows', null], // "no" inside a word is not an answer
  ])('%j → %s', (answer, expected) => {
    expect(yesNo(answer)).toBe(expected);
  });
});

describe('the letter of a choice (CommonsenseQA, OpenBookQA)', () => {
  const choices = [
    { label: 'A', text: 'sunny days' },
    { label: 'B', text: 'rain' },
    { label: 'C', text: 'a library' },
    { label: 'D', text: 'art' },
  ];
  it.each([
    ['B', 'B'],
    ['(C) because books', 'C'],
    ['B. People open umbrellas in rain.', 'B'],
    ['The answer is B because it rains.', 'B'],
    ['Answer: (A)', 'A'],
    ['People open them when it is rain outside.', 'B'], // the one choice text it names
    ['A dog would not know; I pick C)', 'C'], // "A" the article is not a label
    ["Let's start: (C)", 'C'], // a marked label before a choice text inside a word ("art" in "start")
    ['I am not sure.', null],
  ])('%j → %s', (answer, expected) => {
    expect(choiceLabel(answer, choices)).toBe(expected);
  });
});
