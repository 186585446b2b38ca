import { fitToBudget } from './prompt-context.js';

describe('fitToBudget', () => {
  it('keeps items in order while they fit, skipping one that is too big', () => {
    expect(fitToBudget([3, 10, 4, 2], (n) => n, 9)).toEqual([3, 4, 2]);
  });

  it('keeps nothing with a zero budget', () => {
    expect(fitToBudget([1, 2], (n) => n, 0)).toEqual([]);
  });
});
