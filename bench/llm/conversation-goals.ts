import type { TurnSample } from './conversation-clients.js';
import { SCENARIOS } from './conversation-mneme.js';
import { atTurn, computeMs, median, newTokensMs, turnsOf, typical } from './conversation-report.js';
import type { EvalCost } from './eval-cost.js';

// The goals of issue #16 on the 0.45B shape, each against what this run measured (cache on unless it says).

export interface ConversationResults {
  anchor: TurnSample[];
  /** Per scenario name: every turn of every session, prompt cache on. */
  on: Record<string, TurnSample[]>;
  off: Record<string, TurnSample[]>;
  cost: EvalCost;
}

interface Goal {
  goal: string;
  measured: number;
  /** Where the measured value came from (the worst turn, say). */
  note: string;
  target: string;
  /** Undefined for the anchor's reference rows: what a plain session reaches on the same turns. */
  pass?: boolean;
}

const worst = (samples: TurnSample[], value: (s: TurnSample) => number, pick: 'max' | 'min') => {
  let best: TurnSample | undefined;
  for (const s of samples) {
    if (best === undefined || (pick === 'max' ? value(s) > value(best) : value(s) < value(best))) best = s;
  }
  return { value: best ? value(best) : NaN, note: best ? `turn ${best.turn}, session ${best.session}` : '' };
};

function freshSessionGoal(r: ConversationResults): Goal {
  const perTurn = (samples: TurnSample[]) => turnsOf(samples).map((t) => typical(atTurn(samples, t))!);
  const anchorTtft = new Map(perTurn(r.anchor).map((s) => [s.turn, s.ttftMs]));
  const w = worst(perTurn(r.on.one ?? []), (s) => s.ttftMs / (anchorTtft.get(s.turn) ?? NaN), 'max');
  const goal = 'fresh session TTFT ÷ anchor, worst turn';
  return { goal, measured: w.value, note: w.note, target: '≤ 1.10', pass: w.value <= 1.1 };
}

function flatGoal(name: string, samples: TurnSample[]): Goal {
  const turns = turnsOf(samples);
  const last = turns[turns.length - 1] ?? NaN;
  const ratio = median(atTurn(samples, last).map(computeMs)) / median(atTurn(samples, 2).map(computeMs));
  const goal = `${name}: turn-${last} TTFT ÷ turn 2`;
  return { goal, measured: ratio, note: 'medians, queue excluded', target: '≤ 1.30', pass: ratio <= 1.3 };
}

function cachedShareGoal(name: string, samples: TurnSample[]): Goal {
  const later = samples.filter((s) => s.turn >= 3);
  const w = worst(later, (s) => s.cachedTokens / s.promptTokens, 'min');
  const goal = `${name}: cached ÷ prompt tokens from turn 3, lowest`;
  return { goal, measured: w.value, note: w.note, target: '≥ 0.80', pass: w.value >= 0.8 };
}

// Per turn, the median over sessions and repetitions: one sample on a shared 2-core machine jitters by more than
// the 15% the goal allows (the fresh-session goal reads per-turn medians too).
function newTokensGoal(name: string, samples: TurnSample[], cost: EvalCost): Goal {
  const ratio = (s: TurnSample) => computeMs(s) / newTokensMs(s, cost);
  const perTurn = turnsOf(samples)
    .filter((t) => t >= 2)
    .map((turn) => ({ turn, value: median(atTurn(samples, turn).map(ratio)) }));
  const none = { turn: NaN, value: NaN };
  const w = perTurn.reduce((a, b) => (a === none || b.value > a.value ? b : a), none);
  const goal = `${name}: follow-up TTFT ÷ eval(new tokens), worst turn`;
  return { goal, measured: w.value, note: `turn ${w.turn}, median`, target: '≤ 1.15', pass: w.value <= 1.15 };
}

// Round-robin over 4 sessions on 2 sequences: two other sessions took each session's sequence since its last
// turn, so whatever it has cached past the system prompt came back from a saved state.
function restoreGoal(samples: TurnSample[], cost: EvalCost): Goal {
  const restored = samples.filter((s) => s.turn >= 2);
  const ratio = median(restored.map((s) => computeMs(s) / cost.predictMs(0, s.promptTokens)));
  const goal = 'round-robin: restored turn TTFT ÷ eval(whole prompt)';
  return { goal, measured: ratio, note: 'median of turns ≥ 2', target: '< 1.00', pass: ratio < 1 };
}

function decodeGoal(name: string, on: TurnSample[], off: TurnSample[]): Goal {
  const ratio = median(on.map((s) => s.tokensPerSecond)) / median(off.map((s) => s.tokensPerSecond));
  const goal = `${name}: decode tokens/s, cache on ÷ off`;
  return { goal, measured: ratio, note: 'medians', target: '≥ 0.97', pass: ratio >= 0.97 };
}

/** The anchor against the same targets: whether a goal is reachable at all with these turn lengths. */
function anchorReferences(anchor: TurnSample[]): Goal[] {
  return [flatGoal('anchor', anchor), cachedShareGoal('anchor', anchor)].map((g) => ({
    ...g,
    pass: undefined,
  }));
}

export function conversationGoals(r: ConversationResults): Goal[] {
  const goals = [...anchorReferences(r.anchor), ...(r.on.one ? [freshSessionGoal(r)] : [])];
  // The scenarios this run measured (all unless BENCH_SCENARIOS chose some).
  for (const { name } of SCENARIOS.filter((s) => r.on[s.name])) {
    const on = r.on[name] ?? [];
    goals.push(flatGoal(name, on), cachedShareGoal(name, on));
    if (name !== 'one') goals.push(newTokensGoal(name, on, r.cost));
    if (name === 'rr') goals.push(restoreGoal(on, r.cost));
    goals.push(decodeGoal(name, on, r.off[name] ?? []));
  }
  return goals;
}

export function printGoals(goals: Goal[]): void {
  console.log(`${'goal'.padEnd(52)} ${'measured'.padStart(8)}  ${'target'.padEnd(7)} result  where`);
  for (const g of goals) {
    const measured = Number.isFinite(g.measured) ? g.measured.toFixed(2) : '-';
    console.log(
      `${g.goal.padEnd(52)} ${measured.padStart(8)}  ${g.target.padEnd(7)} ${result(g.pass).padEnd(7)} ${g.note}`,
    );
  }
}

const result = (pass: boolean | undefined) => (pass === undefined ? '(ref)' : pass ? 'pass' : 'FAIL');
