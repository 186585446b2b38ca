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

/**
 * How a text stands among a label set as a description of one medium, in a joint space (CLIP, CLAP): the share of
 * the labels it is more similar to the medium than (ties count half). The medium calibrates itself — an unrelated
 * text sits among the labels, a fitting one above them all (1) — so no fitted statistics are needed. Undefined
 * without labels.
 */
export function standingAmongLabels(
  textSimilarity: number,
  labelSimilarities: readonly number[],
): number | undefined {
  if (labelSimilarities.length === 0) return undefined;
  const beaten = labelSimilarities.reduce(
    (sum, s) => sum + (s < textSimilarity ? 1 : s === textSimilarity ? 0.5 : 0),
    0,
  );
  return beaten / labelSimilarities.length;
}

/** A joint space's text side (CLIP's or CLAP's text tower): one-off texts, and labels computed once each. */
export interface TextTower {
  embedTexts(texts: string[]): Promise<Float32Array[]>;
  embedLabels(labels: string[]): Promise<Float32Array[]>;
}

/** standingAmongLabels of `text` for one normalized medium vector, both embedded by `tower`. */
export async function textStanding(
  tower: TextTower,
  medium: Float32Array,
  text: string,
  labels: string[],
): Promise<number | undefined> {
  if (labels.length === 0) return undefined;
  const [[textVector], labelVectors] = await Promise.all([
    tower.embedTexts([text]),
    tower.embedLabels(labels),
  ]);
  return standingAmongLabels(
    dot(medium, textVector!),
    labelVectors.map((v) => dot(medium, v)),
  );
}
