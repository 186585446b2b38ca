import { normalize } from '../../common/vector.js';
import { alignment } from './alignment.js';
import { fitProjection, parseFit, project, serializeFit } from './linear-projection.js';

/** A seeded generator, so fits are reproducible. */
function rng(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
}

/** Pairs related by a known linear map T (out × in) plus a bias, with a little noise. */
function syntheticPairs(count: number, inDims: number, outDims: number, noise = 0.01) {
  const r = rng(7);
  const t = Array.from({ length: outDims * inDims }, r);
  const bias = Array.from({ length: outDims }, r);
  const xs: Float32Array[] = [];
  const ys: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const x = Float32Array.from({ length: inDims }, r);
    const y = Float32Array.from({ length: outDims }, (_, j) => {
      let v = bias[j]! + noise * r();
      for (let i = 0; i < inDims; i++) v += t[j * inDims + i]! * x[i]!;
      return v;
    });
    xs.push(x);
    ys.push(y);
  }
  return { xs, ys };
}

const names = { source: 'clip-text:16', target: 'bert:8' };

describe('linear projection', () => {
  const { xs, ys } = syntheticPairs(400, 16, 8);
  const fit = fitProjection(xs, ys, names);

  it('maps the source width to the target width', () => {
    expect(fit).toMatchObject({ inDims: 16, outDims: 8 });
    expect(project(fit, xs[0]!)).toHaveLength(8);
    expect(() => project(fit, new Float32Array(3))).toThrow('takes 16 dims, got 3');
  });

  it('recovers a known linear relation: held-out cosine ≥ 0.99, far above shuffled pairs', () => {
    expect(fit.quality.heldOut).toBe(80);
    expect(fit.quality.heldOutCosine).toBeGreaterThanOrEqual(0.99);
    expect(fit.quality.shuffledCosine).toBeLessThan(0.5);
  });

  it('is deterministic', () => {
    expect(fitProjection(xs, ys, names).weights).toEqual(fit.weights);
  });

  it('loads a saved fit back identically', () => {
    const loaded = parseFit(serializeFit(fit));
    expect(loaded).toEqual(fit);
    expect(project(loaded, xs[3]!)).toEqual(project(fit, xs[3]!));
  });

  it('refuses a file of another version or with weights that do not match its dims', () => {
    const raw = JSON.parse(serializeFit(fit)) as Record<string, unknown>;
    expect(() => parseFit(JSON.stringify({ ...raw, version: 2 }))).toThrow('version 2');
    expect(() => parseFit(JSON.stringify({ ...raw, inDims: 15 }))).toThrow('do not match');
  });

  it('calibrates alignment: high for agreeing inputs, low for a shuffled pair', () => {
    const calibration = { matched: fit.quality.heldOutCosine, mismatched: fit.quality.shuffledCosine };
    const ids = Array.from({ length: 50 }, (_, i) => 5 * i + 4); // held-out pairs
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const agreeing = mean(ids.map((k) => alignment([project(fit, xs[k]!), ys[k]!], calibration)));
    const shuffled = mean(ids.map((k) => alignment([project(fit, xs[k]!), ys[(k + 5) % 400]!], calibration)));
    expect(agreeing).toBeGreaterThan(0.9);
    expect(shuffled).toBeLessThan(0.3);
    expect(alignment([normalize(project(fit, xs[4]!)), normalize(ys[4]!)], calibration)).toBeGreaterThan(0.9);
    expect(alignment([ys[0]!], calibration)).toBe(1);
  });
});
