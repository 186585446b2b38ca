import { likeliest, logprobsOf, minEntropy } from './token-scores.js';

describe('token scores', () => {
  it('turns logits into log probabilities that sum to one over every candidate', () => {
    const logits = new Map([
      [1, 2],
      [2, 1],
      [3, 0],
    ]);
    const total = [2, 1, 0].reduce((sum, l) => sum + Math.exp(l - 2), 0);
    const logprobs = logprobsOf({ token: 1, logits, totalLogitWeight: total });
    const mass = [...logprobs.values()].reduce((sum, lp) => sum + Math.exp(lp), 0);
    expect(mass).toBeCloseTo(1, 12);
    expect(logprobs.get(1)).toBeCloseTo(-Math.log(total), 12);
  });

  it('counts mass outside the reported tokens in the total', () => {
    // Two reported tokens of logit 0 among four equal candidates: each has probability 1/4.
    const logprobs = logprobsOf({
      token: 7,
      logits: new Map([
        [7, 0],
        [8, 0],
      ]),
      totalLogitWeight: 4,
    });
    expect(Math.exp(logprobs.get(7)!)).toBeCloseTo(0.25, 12);
  });

  it('min-entropy: zero when sure, ln n when uniform, from the likeliest token alone', () => {
    expect(minEntropy([0, -30])).toBeCloseTo(0, 12);
    expect(minEntropy([1, 2, 3, 4].map(() => Math.log(0.25)))).toBeCloseTo(Math.log(4), 12);
    expect(minEntropy([Math.log(0.1), Math.log(0.5), Math.log(0.4)])).toBeCloseTo(Math.log(2), 12);
  });

  it('likeliest orders by probability and cuts to the count', () => {
    const logprobs = new Map([
      [1, -3],
      [2, -0.1],
      [3, -1],
    ]);
    expect(likeliest(logprobs, 2)).toEqual([
      [2, -0.1],
      [3, -1],
    ]);
  });
});
