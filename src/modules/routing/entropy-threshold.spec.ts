import { fitEntropyThreshold, scoreThreshold } from './entropy-threshold.js';

describe('fitEntropyThreshold', () => {
  it('puts the threshold between easy and hard answers when they separate', () => {
    const samples = [0.2, 0.3, 0.4].map((entropy) => ({ entropy, hard: false }));
    samples.push(...[1.1, 1.5].map((entropy) => ({ entropy, hard: true })));
    expect(fitEntropyThreshold(samples)).toEqual({
      threshold: 0.75,
      truePositiveRate: 1,
      falsePositiveRate: 0,
      balancedAccuracy: 1,
    });
  });

  it('weighs the classes equally: many easy answers do not pull it to "never escalate"', () => {
    const easy = Array.from({ length: 20 }, (_, i) => ({ entropy: 0.1 + i * 0.01, hard: false }));
    const fit = fitEntropyThreshold([...easy, { entropy: 0.25, hard: false }, { entropy: 0.9, hard: true }]);
    expect(fit.threshold).toBeGreaterThan(0.29);
    expect(fit.threshold).toBeLessThan(0.9);
    expect(fit.truePositiveRate).toBe(1);
  });

  it('reports the overlap it cannot separate', () => {
    const fit = fitEntropyThreshold([
      { entropy: 0.5, hard: false },
      { entropy: 1.0, hard: true },
      { entropy: 1.2, hard: false },
      { entropy: 1.4, hard: true },
    ]);
    expect(fit.balancedAccuracy).toBe(0.75);
  });

  it('scores a given threshold on other samples', () => {
    const heldOut = [
      { entropy: 0.2, hard: false },
      { entropy: 0.9, hard: false },
      { entropy: 1.3, hard: true },
    ];
    expect(scoreThreshold(heldOut, 0.75)).toEqual({
      threshold: 0.75,
      truePositiveRate: 1,
      falsePositiveRate: 0.5,
      balancedAccuracy: 0.75,
    });
  });

  it('refuses a set without both kinds of request', () => {
    expect(() => fitEntropyThreshold([{ entropy: 1, hard: true }])).toThrow(/labelled fast and beyond/);
  });
});
