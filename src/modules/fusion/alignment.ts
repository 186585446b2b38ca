import { cosine } from '../../common/vector.js';

/**
 * How well modalities agree in the shared space: the mean pairwise cosine of their vectors, calibrated to 0..1
 * against the fits' own statistics — 0 at the cosine mismatched pairs reach, 1 at the cosine matched pairs reach.
 * One modality alone has nothing to disagree with: 1.
 */
export function alignment(
  vectors: readonly Float32Array[],
  calibration: { matched: number; mismatched: number },
): number {
  if (vectors.length < 2) return 1;
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < vectors.length; i++) {
    for (let j = i + 1; j < vectors.length; j++) {
      sum += cosine(vectors[i]!, vectors[j]!);
      pairs++;
    }
  }
  const span = calibration.matched - calibration.mismatched;
  if (span <= 0) return sum / pairs > calibration.matched ? 1 : 0;
  return Math.min(1, Math.max(0, (sum / pairs - calibration.mismatched) / span));
}
