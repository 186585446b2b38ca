import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';

// The yardstick for "a follow-up turn costs its new words": how long the model takes to evaluate N new tokens
// after a prefix of P already-evaluated ones, measured on the anchor's context (same threads, same model) and
// interpolated linearly in P (attention makes a token after a long prefix slightly dearer).

export interface EvalPoint {
  prefix: number;
  /** ms per new token. */
  slopeMs: number;
  /** fixed ms per evaluation (batch setup, the last token's logits). */
  interceptMs: number;
}

export interface EvalCost {
  points: EvalPoint[];
  /** Predicted ms to evaluate `fresh` new tokens after `prefix` evaluated ones. */
  predictMs(prefix: number, fresh: number): number;
}

export interface EvalGrid {
  prefixes: number[];
  /** Two batch sizes: the line through them gives slope and intercept. */
  sizes: [number, number];
  repetitions: number;
}

/** Times `evaluateWithoutGeneratingNewTokens` over the grid on a fresh sequence of `context`. */
export async function measureEvalCost(
  context: LlamaContext,
  source: Token[],
  grid: EvalGrid,
): Promise<EvalCost> {
  const needed = Math.max(...grid.prefixes) + Math.max(...grid.sizes);
  const tokens = Array.from({ length: needed }, (_, i) => source[i % source.length]!);
  const sequence = context.getSequence();
  const points: EvalPoint[] = [];
  try {
    // The first evaluation of a large batch allocates its buffers: not what a turn costs.
    await timeBatch(sequence, tokens.slice(0, Math.max(...grid.sizes)), 1);
    for (const prefix of [...grid.prefixes].sort((a, b) => a - b)) {
      await sequence.clearHistory();
      if (prefix > 0) await sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(0, prefix));
      const [small, large] = grid.sizes;
      const msSmall = await timeBatch(sequence, tokens.slice(prefix, prefix + small), grid.repetitions);
      const msLarge = await timeBatch(sequence, tokens.slice(prefix, prefix + large), grid.repetitions);
      const slopeMs = (msLarge - msSmall) / (large - small);
      points.push({ prefix, slopeMs, interceptMs: msSmall - slopeMs * small });
    }
  } finally {
    await sequence.dispose();
  }
  return { points, predictMs: (prefix, fresh) => predict(points, prefix, fresh) };
}

/**
 * Least ms of evaluating `batch` after what the sequence holds, erased again after each evaluation: on a shared
 * machine the fastest of a few is the model's own cost, the slower ones are someone else's load.
 */
async function timeBatch(
  sequence: LlamaContextSequence,
  batch: Token[],
  repetitions: number,
): Promise<number> {
  const start = sequence.nextTokenIndex;
  const times: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const t0 = performance.now();
    await sequence.evaluateWithoutGeneratingNewTokens(batch);
    times.push(performance.now() - t0);
    await sequence.eraseContextTokenRanges([{ start, end: start + batch.length }]);
  }
  return Math.min(...times);
}

function predict(points: EvalPoint[], prefix: number, fresh: number): number {
  if (fresh <= 0) return 0;
  let i = 0;
  while (i < points.length - 2 && prefix > points[i + 1]!.prefix) i++;
  const a = points[i]!;
  const b = points[Math.min(i + 1, points.length - 1)]!;
  const t = b.prefix === a.prefix ? 0 : (prefix - a.prefix) / (b.prefix - a.prefix);
  const slope = a.slopeMs + t * (b.slopeMs - a.slopeMs);
  const intercept = a.interceptMs + t * (b.interceptMs - a.interceptMs);
  return Math.max(0, intercept + slope * fresh);
}
