/** Nearest-rank percentile of a sample. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export interface Sample {
  ttftMs: number;
  tokensPerSecond: number;
  completionTokens: number;
}

export function summarize(samples: Sample[]) {
  const ttft = samples.map((s) => s.ttftMs);
  const tps = samples.map((s) => s.tokensPerSecond);
  return {
    ttftP50: percentile(ttft, 50),
    ttftP95: percentile(ttft, 95),
    ttftP99: percentile(ttft, 99),
    tpsP50: percentile(tps, 50),
    tpsP5: percentile(tps, 5),
    tokens: Math.round(samples.reduce((a, s) => a + s.completionTokens, 0) / Math.max(1, samples.length)),
  };
}
