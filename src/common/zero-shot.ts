import { dot } from './vector.js';

export interface RankedLabel {
  label: string;
  score: number;
}

// Trained CLIP/CLAP models learn a logit scale that saturates near 100; the split ONNX towers do not export it.
export const CONTRASTIVE_LOGIT_SCALE = 100;

/** Softmax over the scaled similarities of one normalized vector to each label's, best first. */
export function rankLabels(
  vector: Float32Array,
  labels: readonly string[],
  labelVectors: readonly Float32Array[],
): RankedLabel[] {
  const logits = labelVectors.map((t) => CONTRASTIVE_LOGIT_SCALE * dot(vector, t));
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return labels.map((label, i) => ({ label, score: exps[i]! / total })).sort((a, b) => b.score - a.score);
}
