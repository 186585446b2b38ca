import { dot, meanNormalized, normalize } from './vector.js';

const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe('normalize', () => {
  it('scales a vector to unit length, keeping its direction', () => {
    const out = normalize(Float32Array.from([3, 4]));
    expect(out[0]).toBeCloseTo(0.6, 6);
    expect(out[1]).toBeCloseTo(0.8, 6);
    expect(norm(out)).toBeCloseTo(1, 6);
  });

  it('gives unit length for arbitrary vectors, large or small', () => {
    for (const scale of [1e-6, 1, 1e6]) {
      const v = Float32Array.from({ length: 384 }, (_, i) => scale * Math.sin(i * 1.7 + 0.3));
      expect(norm(normalize(v))).toBeCloseTo(1, 5);
    }
  });

  it('returns a new array and leaves the input alone', () => {
    const input = Float32Array.from([0, 2, 0]);
    const out = normalize(input);
    expect(out).not.toBe(input);
    expect(out).toBeInstanceOf(Float32Array);
    expect(Array.from(out)).toEqual([0, 1, 0]);
    expect(Array.from(input)).toEqual([0, 2, 0]);
  });

  it('keeps a zero vector zero (no NaN)', () => {
    const out = normalize(new Float32Array(4));
    expect(Array.from(out)).toEqual([0, 0, 0, 0]);
  });

  it('handles an empty vector', () => {
    expect(normalize(new Float32Array(0))).toHaveLength(0);
  });

  it('keeps negative components negative', () => {
    expect(Array.from(normalize(Float32Array.from([-5, 0])))).toEqual([-1, 0]);
  });
});

describe('dot', () => {
  it('sums the element-wise products', () => {
    expect(dot(Float32Array.from([1, 2, 3]), Float32Array.from([4, -5, 6]))).toBe(4 - 10 + 18);
  });

  it('is 0 for orthogonal vectors and 1 for a unit vector with itself', () => {
    expect(dot(Float32Array.from([1, 0]), Float32Array.from([0, 1]))).toBe(0);
    const u = normalize(Float32Array.from([1, 2, 2]));
    expect(dot(u, u)).toBeCloseTo(1, 6);
  });

  it('is the cosine similarity of normalized vectors', () => {
    const a = normalize(Float32Array.from([1, 0]));
    const b = normalize(Float32Array.from([1, 1]));
    expect(dot(a, b)).toBeCloseTo(Math.SQRT1_2, 6);
    expect(dot(a, normalize(Float32Array.from([-1, 0])))).toBe(-1);
  });

  it('is 0 for empty vectors', () => {
    expect(dot(new Float32Array(0), new Float32Array(0))).toBe(0);
  });
});

describe('meanNormalized', () => {
  it('normalizes the mean of the vectors', () => {
    const out = meanNormalized([Float32Array.from([1, 0]), Float32Array.from([0, 1])]);
    expect(out[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(out[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('weights every vector by its own length before normalizing', () => {
    // Sum (3, 1) → direction (3, 1) / √10; a plain average of directions would give (1, 1) / √2.
    const out = meanNormalized([Float32Array.from([2, 0]), Float32Array.from([1, 1])]);
    expect(out[0]).toBeCloseTo(3 / Math.sqrt(10), 6);
    expect(out[1]).toBeCloseTo(1 / Math.sqrt(10), 6);
  });

  it('returns the normalized vector itself for one input, without modifying it', () => {
    const input = Float32Array.from([0, 0, 5]);
    const out = meanNormalized([input]);
    expect(Array.from(out)).toEqual([0, 0, 1]);
    expect(Array.from(input)).toEqual([0, 0, 5]);
  });

  it('gives a unit vector for many inputs', () => {
    const vectors = Array.from({ length: 7 }, (_, k) =>
      normalize(Float32Array.from({ length: 16 }, (_, i) => Math.cos(i + k * 0.1))),
    );
    expect(norm(meanNormalized(vectors))).toBeCloseTo(1, 5);
  });

  it('gives a zero vector when the inputs cancel out', () => {
    const out = meanNormalized([Float32Array.from([1, -2]), Float32Array.from([-1, 2])]);
    expect(Array.from(out)).toEqual([0, 0]);
  });

  it('gives an empty vector for no inputs', () => {
    expect(meanNormalized([])).toHaveLength(0);
  });
});
