/** A trained multinomial logistic regression: standardized inputs, one weight row per class. */
export interface SoftmaxModel {
  classes: string[];
  mean: number[];
  std: number[];
  /** classes × features. */
  weights: number[][];
  bias: number[];
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty on the weights (not the bias). */
  l2: number;
}

const DEFAULTS: TrainOptions = { epochs: 400, learningRate: 0.5, l2: 1e-3 };

/** Fits by full-batch gradient descent on the cross-entropy; deterministic (zero init, fixed order). */
export function trainSoftmax(
  inputs: readonly number[][],
  labels: readonly string[],
  classes: readonly string[],
  options: Partial<TrainOptions> = {},
): SoftmaxModel {
  const { epochs, learningRate, l2 } = { ...DEFAULTS, ...options };
  if (inputs.length === 0 || inputs.length !== labels.length)
    throw new Error('need as many labels as inputs');
  const width = inputs[0]!.length;
  const mean = Array.from({ length: width }, (_, j) => inputs.reduce((s, x) => s + x[j]!, 0) / inputs.length);
  const std = Array.from({ length: width }, (_, j) => {
    const v = inputs.reduce((s, x) => s + (x[j]! - mean[j]!) ** 2, 0) / inputs.length;
    return Math.sqrt(v) || 1;
  });
  const xs = inputs.map((x) => x.map((v, j) => (v - mean[j]!) / std[j]!));
  const ys = labels.map((label) => {
    const index = classes.indexOf(label);
    if (index < 0) throw new Error(`unknown label "${label}"`);
    return index;
  });
  const weights = classes.map(() => new Array<number>(width).fill(0));
  const bias = classes.map(() => 0);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const gradW = classes.map(() => new Array<number>(width).fill(0));
    const gradB = classes.map(() => 0);
    xs.forEach((x, n) => {
      const p = probabilities(weights, bias, x);
      p.forEach((pk, k) => {
        const error = pk - (ys[n] === k ? 1 : 0);
        gradB[k]! += error;
        for (let j = 0; j < width; j++) gradW[k]![j]! += error * x[j]!;
      });
    });
    for (let k = 0; k < classes.length; k++) {
      bias[k]! -= (learningRate * gradB[k]!) / xs.length;
      for (let j = 0; j < width; j++) {
        weights[k]![j]! -= learningRate * (gradW[k]![j]! / xs.length + l2 * weights[k]![j]!);
      }
    }
  }
  return { classes: [...classes], mean, std, weights, bias };
}

/** Class probabilities for one raw (unstandardized) input. */
export function predictSoftmax(model: SoftmaxModel, input: readonly number[]): number[] {
  if (input.length !== model.mean.length) {
    throw new Error(`the router model takes ${model.mean.length} features, got ${input.length}`);
  }
  const x = input.map((v, j) => (v - model.mean[j]!) / model.std[j]!);
  return probabilities(model.weights, model.bias, x);
}

function probabilities(weights: number[][], bias: number[], x: number[]): number[] {
  const logits = weights.map((w, k) => w.reduce((s, wj, j) => s + wj * x[j]!, bias[k]!));
  const top = Math.max(...logits);
  const exp = logits.map((l) => Math.exp(l - top));
  const total = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / total);
}
