import type { TurnSample } from './conversation-clients.js';
import type { EvalCost } from './eval-cost.js';
import { percentile } from './stats.js';

// Per-turn tables. Milliseconds; a multi-session row is the median (times) or mean (tokens) over the sessions.

export const median = (values: number[]) => percentile(values, 50);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);

/** Time to first token less the wait for a free sequence: what the turn's own computation cost. */
export const computeMs = (s: TurnSample) => s.ttftMs - s.queueMs;

/** The model's own time to evaluate only the tokens new to this turn, after the cached ones. */
export const newTokensMs = (s: TurnSample, cost: EvalCost) =>
  cost.predictMs(s.cachedTokens, s.promptTokens - s.cachedTokens);

export function turnsOf(samples: readonly TurnSample[]): number[] {
  return [...new Set(samples.map((s) => s.turn))].sort((a, b) => a - b);
}

export function atTurn(samples: readonly TurnSample[], turn: number): TurnSample[] {
  return samples.filter((s) => s.turn === turn);
}

const num = (n: number, width: number, digits = 0) =>
  (Number.isFinite(n) ? n.toFixed(digits) : '-').padStart(width);

/** A turn's samples (its repetitions) as one: median time, mean tokens. */
export function typical(samples: TurnSample[]): TurnSample | undefined {
  if (samples.length === 0) return undefined;
  return {
    ...samples[0]!,
    promptTokens: mean(samples.map((s) => s.promptTokens)),
    cachedTokens: mean(samples.map((s) => s.cachedTokens)),
    ttftMs: median(samples.map((s) => s.ttftMs)),
    queueMs: median(samples.map((s) => s.queueMs)),
    tokensPerSecond: median(samples.map((s) => s.tokensPerSecond)),
  };
}

/** Anchor beside Mneme (cache on and off) for one fresh session (per-turn medians over repetitions). */
export function printSingleSession(anchor: TurnSample[], on: TurnSample[], off: TurnSample[]): void {
  console.log(
    'turn │ anchor: prompt cached   ttft │ cache on: prompt cached   ttft ×anchor │ cache off: prompt   ttft ×anchor',
  );
  for (const turn of turnsOf(anchor)) {
    const a = typical(atTurn(anchor, turn))!;
    const n = typical(atTurn(on, turn));
    const f = typical(atTurn(off, turn));
    console.log(
      `${num(turn, 4)} │ ${num(a.promptTokens, 14)} ${num(a.cachedTokens, 6)} ${num(a.ttftMs, 6)} │ ` +
        `${num(n?.promptTokens ?? NaN, 16)} ${num(n?.cachedTokens ?? NaN, 6)} ${num(n?.ttftMs ?? NaN, 6)} ` +
        `${num((n?.ttftMs ?? NaN) / a.ttftMs, 7, 2)} │ ${num(f?.promptTokens ?? NaN, 17)} ` +
        `${num(f?.ttftMs ?? NaN, 6)} ${num((f?.ttftMs ?? NaN) / a.ttftMs, 7, 2)}`,
    );
  }
}

/** Several sessions: per turn, tokens and times against the model's time for only the new tokens. */
export function printMultiSession(on: TurnSample[], off: TurnSample[], cost: EvalCost): void {
  console.log(
    'turn │ cache on: prompt cached compute  queue eval(new)  ÷eval │ cache off: prompt compute  queue',
  );
  for (const turn of turnsOf(on)) {
    const n = atTurn(on, turn);
    const f = atTurn(off, turn);
    const ratio = median(n.map((s) => computeMs(s) / newTokensMs(s, cost)));
    console.log(
      `${num(turn, 4)} │ ${num(mean(n.map((s) => s.promptTokens)), 16)} ` +
        `${num(mean(n.map((s) => s.cachedTokens)), 6)} ${num(median(n.map(computeMs)), 7)} ` +
        `${num(median(n.map((s) => s.queueMs)), 6)} ${num(median(n.map((s) => newTokensMs(s, cost))), 9)} ` +
        `${num(ratio, 6, 2)} │ ${num(mean(f.map((s) => s.promptTokens)), 17)} ` +
        `${num(median(f.map(computeMs)), 7)} ${num(median(f.map((s) => s.queueMs)), 6)}`,
    );
  }
}

export function printEvalCost(cost: EvalCost): void {
  const points = cost.points.map(
    (p) => `after ${p.prefix}: ${p.slopeMs.toFixed(2)} ms/token + ${p.interceptMs.toFixed(0)} ms`,
  );
  console.log(`model evaluation time (anchor context): ${points.join('; ')}`);
}
