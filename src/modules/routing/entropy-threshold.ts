/** One labelled request's answer on the fast path: how unsure the model was, and whether it needed more. */
export interface EntropySample {
  entropy: number;
  /** Labelled for a path beyond fast. */
  hard: boolean;
}

export interface ThresholdFit {
  /** Escalate when the answer's mean entropy is above this. */
  threshold: number;
  /** Share of hard requests that would escalate. */
  truePositiveRate: number;
  /** Share of easy requests that would escalate needlessly. */
  falsePositiveRate: number;
  balancedAccuracy: number;
}

/**
 * The entropy threshold that best separates answers to hard requests from answers to easy ones: the highest
 * balanced accuracy (mean of the two classes' hit rates, so an unbalanced label set cannot buy accuracy by
 * escalating everything or nothing), over thresholds halfway between observed entropies.
 */
export function fitEntropyThreshold(samples: readonly EntropySample[]): ThresholdFit {
  const hard = samples.filter((s) => s.hard).length;
  const easy = samples.length - hard;
  if (hard === 0 || easy === 0) throw new Error('calibration needs requests labelled fast and beyond fast');
  const values = [...new Set(samples.map((s) => s.entropy))].sort((a, b) => a - b);
  const candidates = [
    values[0]! - 1e-6,
    ...values.slice(1).map((v, i) => (v + values[i]!) / 2),
    values.at(-1)!,
  ];
  let best: ThresholdFit | undefined;
  for (const threshold of candidates) {
    const fit = scoreThreshold(samples, threshold);
    if (!best || fit.balancedAccuracy > best.balancedAccuracy) best = fit;
  }
  return best!;
}

/** How a threshold does on `samples` (held-out ones, to judge a fit honestly). */
export function scoreThreshold(samples: readonly EntropySample[], threshold: number): ThresholdFit {
  const hard = samples.filter((s) => s.hard).length;
  const easy = samples.length - hard;
  const escalated = samples.filter((s) => s.entropy > threshold);
  const truePositiveRate = hard > 0 ? escalated.filter((s) => s.hard).length / hard : 0;
  const falsePositiveRate = easy > 0 ? escalated.filter((s) => !s.hard).length / easy : 0;
  return {
    threshold,
    truePositiveRate,
    falsePositiveRate,
    balancedAccuracy: (truePositiveRate + 1 - falsePositiveRate) / 2,
  };
}
