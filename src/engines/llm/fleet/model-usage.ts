import type { GenerationResult } from '../llm-engine.js';

// Medians over the last this many generations: recent enough to follow a change, enough to be steady.
const WINDOW = 200;

/** A model's record of use: requests served, and the medians of its warm time to first token and decode rate. */
export class ModelUsage {
  requests = 0;
  private readonly ttfts: number[] = [];
  private readonly rates: number[] = [];

  record({ timings }: GenerationResult): void {
    this.requests++;
    keep(this.ttfts, timings.ttftMs);
    if (timings.tokensPerSecond > 0) keep(this.rates, timings.tokensPerSecond);
  }

  get ttftP50Ms(): number | undefined {
    return median(this.ttfts);
  }

  get decodeTokensPerSecondP50(): number | undefined {
    return median(this.rates);
  }
}

function keep(window: number[], value: number): void {
  window.push(value);
  if (window.length > WINDOW) window.shift();
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
