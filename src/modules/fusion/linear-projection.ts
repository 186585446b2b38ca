import { cosine } from '../../common/vector.js';

/** A fitted linear map (with bias) from one encoder's space into the shared space, and how well it fits. */
export interface ProjectionFit {
  version: 1;
  /** `name:dims` of the source and target encoders. */
  source: string;
  target: string;
  inDims: number;
  outDims: number;
  /** (inDims + 1) × outDims, row-major; the last row is the bias. */
  weights: Float32Array;
  quality: {
    pairs: number;
    heldOut: number;
    /** Mean cosine between projected and target embeddings of held-out pairs. */
    heldOutCosine: number;
    /** Mean held-out cosine of mismatched (shuffled) pairs: the floor for alignment calibration. */
    shuffledCosine: number;
  };
}

/** Applies the map: x (inDims) → y (outDims), not normalized. */
export function project(fit: ProjectionFit, x: Float32Array): Float32Array {
  if (x.length !== fit.inDims)
    throw new Error(`projection ${fit.source} takes ${fit.inDims} dims, got ${x.length}`);
  const { inDims, outDims, weights } = fit;
  const y = new Float32Array(outDims);
  for (let j = 0; j < outDims; j++) y[j] = weights[inDims * outDims + j]!;
  for (let i = 0; i < inDims; i++) {
    const xi = x[i]!;
    if (xi === 0) continue;
    const row = i * outDims;
    for (let j = 0; j < outDims; j++) y[j]! += xi * weights[row + j]!;
  }
  return y;
}

/**
 * Fits W minimizing ‖[X 1]·W − Y‖² + λ‖W‖² (ridge least squares through the normal equations and a Cholesky
 * solve), holding out every `holdOutEvery`-th pair to report fit quality. Deterministic.
 */
export function fitProjection(
  xs: readonly Float32Array[],
  ys: readonly Float32Array[],
  names: { source: string; target: string },
  options: { lambda?: number; holdOutEvery?: number } = {},
): ProjectionFit {
  const lambda = options.lambda ?? 1e-3;
  const every = options.holdOutEvery ?? 5;
  if (xs.length !== ys.length || xs.length < 2) throw new Error('need at least two pairs, as many xs as ys');
  const inDims = xs[0]!.length;
  const outDims = ys[0]!.length;
  const trainIdx = xs.map((_, i) => i).filter((i) => i % every !== every - 1);
  const testIdx = xs.map((_, i) => i).filter((i) => i % every === every - 1);
  const n = inDims + 1;
  // A = XᵀX + λI, B = XᵀY over the training pairs (X with a trailing 1 for the bias).
  const a = new Float64Array(n * n);
  const b = new Float64Array(n * outDims);
  for (const k of trainIdx) {
    const x = xs[k]!;
    const y = ys[k]!;
    for (let i = 0; i < n; i++) {
      const xi = i < inDims ? x[i]! : 1;
      if (xi === 0) continue;
      for (let j = i; j < n; j++) a[i * n + j]! += xi * (j < inDims ? x[j]! : 1);
      for (let j = 0; j < outDims; j++) b[i * outDims + j]! += xi * y[j]!;
    }
  }
  for (let i = 0; i < n; i++) {
    a[i * n + i]! += lambda;
    for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i]!;
  }
  const weights = Float32Array.from(choleskySolve(a, b, n, outDims));
  const fit: ProjectionFit = {
    version: 1,
    ...names,
    inDims,
    outDims,
    weights,
    quality: { pairs: xs.length, heldOut: testIdx.length, heldOutCosine: 0, shuffledCosine: 0 },
  };
  const held = testIdx.length > 0 ? testIdx : trainIdx;
  const projected = held.map((k) => project(fit, xs[k]!));
  fit.quality.heldOutCosine = mean(held.map((k, i) => cosine(projected[i]!, ys[k]!)));
  fit.quality.shuffledCosine =
    held.length > 1 ? mean(held.map((_, i) => cosine(projected[i]!, ys[held[(i + 1) % held.length]!]!))) : 0;
  return fit;
}

/** Solves A·W = B for symmetric positive definite A (n × n) and B (n × m). */
function choleskySolve(a: Float64Array, b: Float64Array, n: number, m: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (sum <= 0)
          throw new Error('the pairs do not determine a projection (matrix not positive definite)');
        l[i * n + i] = Math.sqrt(sum);
      } else l[i * n + j] = sum / l[j * n + j]!;
    }
  }
  const w = new Float64Array(n * m);
  const z = new Float64Array(n);
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let sum = b[i * m + c]!;
      for (let k = 0; k < i; k++) sum -= l[i * n + k]! * z[k]!;
      z[i] = sum / l[i * n + i]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let sum = z[i]!;
      for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * w[k * m + c]!;
      w[i * m + c] = sum / l[i * n + i]!;
    }
  }
  return w;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((s, v) => s + v, 0) / values.length;
}

/** The versioned file `npm run fusion:fit` writes: JSON with the weights as base64 float32. */
export function serializeFit(fit: ProjectionFit): string {
  return JSON.stringify({
    ...fit,
    weights: Buffer.from(fit.weights.buffer, fit.weights.byteOffset, fit.weights.byteLength).toString(
      'base64',
    ),
  });
}

export function parseFit(text: string): ProjectionFit {
  const raw = JSON.parse(text) as Omit<ProjectionFit, 'weights'> & { weights: string };
  if (raw.version !== 1) throw new Error(`unsupported projection file version ${String(raw.version)}`);
  const bytes = Buffer.from(raw.weights, 'base64');
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  if (weights.length !== (raw.inDims + 1) * raw.outDims)
    throw new Error('projection weights do not match its dims');
  return { ...raw, weights };
}
