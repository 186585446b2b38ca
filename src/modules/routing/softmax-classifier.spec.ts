import { predictSoftmax, trainSoftmax } from './softmax-classifier.js';

// Three separable clusters in 2-D, plus a constant feature (std 0 must not divide by zero).
const points: [number[], string][] = [];
for (let i = 0; i < 30; i++) {
  const jitter = (i % 5) * 0.05;
  points.push([[0 + jitter, 0, 1], 'fast'], [[2 + jitter, 0, 1], 'medium'], [[1, 2 + jitter, 1], 'deep']);
}
const classes = ['fast', 'medium', 'deep'];

describe('softmax classifier', () => {
  const model = trainSoftmax(
    points.map(([x]) => x),
    points.map(([, y]) => y),
    classes,
  );

  it('separates separable classes', () => {
    const argmax = (p: number[]) => classes[p.indexOf(Math.max(...p))];
    expect(argmax(predictSoftmax(model, [0.1, 0.1, 1]))).toBe('fast');
    expect(argmax(predictSoftmax(model, [2.1, 0, 1]))).toBe('medium');
    expect(argmax(predictSoftmax(model, [1, 2.1, 1]))).toBe('deep');
  });

  it('returns probabilities that sum to 1', () => {
    const p = predictSoftmax(model, [1, 1, 1]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    for (const v of p) expect(v).toBeGreaterThan(0);
  });

  it('is deterministic', () => {
    const again = trainSoftmax(
      points.map(([x]) => x),
      points.map(([, y]) => y),
      classes,
    );
    expect(again).toEqual(model);
  });

  it('refuses an input of the wrong width and an unknown label', () => {
    expect(() => predictSoftmax(model, [1, 2])).toThrow('takes 3 features, got 2');
    expect(() => trainSoftmax([[1]], ['slow'], classes)).toThrow('unknown label "slow"');
  });
});
