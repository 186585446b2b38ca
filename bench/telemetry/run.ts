import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/common/package-root.js';
import { percentile } from '../llm/stats.js';
import { SHAPE, synthesizeModel } from '../llm/synth-model.js';
import {
  askDidOtherWork,
  askInput,
  closedLoop,
  cpuPerRequest,
  decodeAsk,
  type AskSample,
  type LoadResult,
} from './load.js';
import { list, median, printReport, SIDES, type Row, type Side } from './report.js';
import { startServer, type Server } from './servers.js';

// bench/telemetry: what telemetry costs. Two child servers of the same build, MNEME_TELEMETRY=true (SDK, span
// fan-out into the SLO tracker, metric instruments) and =false (no SDK, no-op spans), compared on
// 1. decode tokens/s: one long ask at a time on a synthesized ~0.45B Q8_0 model;
// 2. requests/s and latency: closed-loop clients sending `ask` (1 token, tiny fixture model) and `{ me }`.
// One server is under load at a time; rounds go ON OFF, OFF ON, … (ABBA) so drift hits both alike, and each
// figure is the median of its rounds. Goal: on/off ≥ 0.98.

const started = performance.now();
// An even number of rounds: ON goes first in half of them.
const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
const decodeAsks = Number(process.env.BENCH_DECODE_ASKS ?? 2);
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const loadSeconds = Number(process.env.BENCH_LOAD_SECONDS ?? 3);
const askClients = Number(process.env.BENCH_ASK_CLIENTS ?? 4);
const queryClients = Number(process.env.BENCH_QUERY_CLIENTS ?? 8);
// A busy machine can slow decode tenfold: no new round pair starts after this long in a phase.
const phaseSeconds = Number(process.env.BENCH_PHASE_SECONDS ?? 180);
const phases = (process.env.BENCH_PHASES ?? 'decode,requests').split(',');
const threads = Number(process.env.MNEME_LLM_THREADS ?? os.availableParallelism());
const TARGET = 0.98;
// Short: prefill is not what is measured, and it would take most of each ask's time.
const decodePrompt = 'Tell me a long story about a lighthouse keeper.';
const shortPrompt = 'Say hi.';
const ME = '{ me { tenant } }';
const ASK_ONE = `mutation($input: AskInput!) { ask(input: $input) { route { escalated } memory { skipped } } }`;

const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`[${secs(performance.now() - started).padStart(7)}] ${line}`);
const reqPerSec = (r: LoadResult) => r.latenciesMs.length / r.seconds;

/** ABBA order: round 1 ON first, round 2 OFF first, … so neither side always runs right after the other. */
const order = (round: number): Side[] => (round % 2 === 1 ? SIDES : [...SIDES].reverse());

/** Starts ON and OFF on one model (together: nothing is measured yet), runs fn, always stops both. */
async function withPair(
  model: string,
  env: Record<string, string>,
  fn: (servers: Record<Side, Server>) => Promise<void>,
): Promise<void> {
  const settled = await Promise.allSettled(
    SIDES.map((side) => startServer({ telemetry: side === 'ON', model, threads, env })),
  );
  const up = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
    await fn({ ON: up[0]!, OFF: up[1]! });
  } finally {
    await Promise.all(up.map((server) => server.stop()));
  }
}

const rows: Row[] = [];
const notes: string[] = [];

/** Past the phase budget at the start of a round pair (odd round): stop, keeping ABBA pairs whole. */
function overBudget(round: number, phaseStart: number): boolean {
  if (round % 2 === 0 || round < 3 || performance.now() - phaseStart < phaseSeconds * 1000) return false;
  notes.push(`phase budget ${phaseSeconds} s spent: stopped after ${round - 1} rounds`);
  log(`phase budget spent after ${round - 1} rounds`);
  return true;
}

// ── 1. decode tokens/s ───────────────────────────────────────────────────────────────────────────────────────
async function decode(model: string): Promise<void> {
  const samples: Record<Side, AskSample[]> = { ON: [], OFF: [] };
  const perRound: Record<Side, number[]> = { ON: [], OFF: [] };
  // No episodic recall: earlier answers would grow the prompt to ~700 tokens, and prefill is not what is measured.
  await withPair(model, { MNEME_EPISODIC_RECALL_ITEMS: '0' }, async (servers) => {
    log('decode servers ready; warm-up (1 ask each)');
    const phaseStart = performance.now();
    for (const side of SIDES) await decodeAsk(servers[side].url, decodePrompt, maxTokens);
    for (let round = 1; round <= rounds && !overBudget(round, phaseStart); round++) {
      for (const side of order(round)) {
        const got: AskSample[] = [];
        for (let k = 0; k < decodeAsks; k++)
          got.push(await decodeAsk(servers[side].url, decodePrompt, maxTokens));
        samples[side].push(...got);
        perRound[side].push(median(got.map((s) => s.tokensPerSecond)));
        const show = (pick: (s: AskSample) => number, digits: number) => list(got.map(pick), digits);
        log(
          `decode round ${round} ${side.padEnd(3)} tok/s ${show((s) => s.tokensPerSecond, 2)}  ` +
            `ttft ms ${show((s) => s.ttftMs, 0)}  tokens ${show((s) => s.completionTokens, 0)}`,
        );
      }
    }
  });
  const of = (side: Side, pick: (s: AskSample) => number, p: number) =>
    percentile(samples[side].map(pick), p);
  const both = (pick: (side: Side) => number) => ({ on: pick('ON'), off: pick('OFF') });
  rows.push(
    {
      name: 'decode tok/s, median of round medians',
      ...both((s) => median(perRound[s])),
      rounds: perRound,
      digits: 2,
    },
    { name: 'decode tok/s p50 (all asks)', ...both((s) => of(s, (x) => x.tokensPerSecond, 50)), digits: 2 },
    { name: 'decode tok/s p5 (slowest asks)', ...both((s) => of(s, (x) => x.tokensPerSecond, 5)), digits: 2 },
    { name: 'ask ttft ms p50', ...both((s) => of(s, (x) => x.ttftMs, 50)), lowerIsBetter: true },
    { name: 'ask ttft ms p95', ...both((s) => of(s, (x) => x.ttftMs, 95)), lowerIsBetter: true },
    {
      name: 'completion tokens per ask (mean)',
      ...both((s) => samples[s].reduce((a, x) => a + x.completionTokens, 0) / samples[s].length),
    },
  );
  for (const side of SIDES) {
    const escalated = samples[side].filter((s) => s.escalated).length;
    const skipped = samples[side].filter((s) => s.skipped > 0).length;
    if (escalated + skipped > 0)
      notes.push(`decode ${side}: ${escalated} asks escalated, ${skipped} shed memory tiers (other work)`);
  }
}

// ── 2. requests/s ────────────────────────────────────────────────────────────────────────────────────────────
async function requests(model: string): Promise<void> {
  const loads = [
    {
      name: `ask maxTokens 1 (${askClients} clients)`,
      query: ASK_ONE,
      vars: askInput(shortPrompt, 1),
      clients: askClients,
      otherWork: askDidOtherWork,
    },
    {
      name: `{ me { tenant } } (${queryClients} clients)`,
      query: ME,
      vars: {},
      clients: queryClients,
      otherWork: undefined,
    },
  ];
  const results = loads.map(() => ({ ON: [] as LoadResult[], OFF: [] as LoadResult[] }));
  // Queue rather than refuse (OVERLOADED) when the 500 ms fast-path target looks exceeded: a refusal is no work.
  const env = { MNEME_ROUTING_PATHS: JSON.stringify({ fast: { targetMs: 600_000 } }) };
  await withPair(model, env, async (servers) => {
    log('request servers ready; warm-up (1 s of each load on each)');
    const phaseStart = performance.now();
    for (const side of SIDES)
      for (const load of loads)
        await closedLoop(servers[side].url, load.query, load.vars, load.clients, 1000);
    for (let round = 1; round <= rounds && !overBudget(round, phaseStart); round++) {
      for (const side of order(round)) {
        const line: string[] = [];
        for (const [i, load] of loads.entries()) {
          const cpuBefore = servers[side].cpuMs();
          const r = await closedLoop(
            servers[side].url,
            load.query,
            load.vars,
            load.clients,
            loadSeconds * 1000,
            load.otherWork,
          );
          r.serverCpuMs = servers[side].cpuMs() - cpuBefore;
          results[i]![side].push(r);
          line.push(`${load.name.split(' (')[0]} ${reqPerSec(r).toFixed(1)} req/s`);
        }
        log(`requests round ${round} ${side.padEnd(3)} ${line.join(', ')}`);
      }
    }
  });
  for (const [i, load] of loads.entries()) {
    const per = results[i]!;
    const perRound = { ON: per.ON.map(reqPerSec), OFF: per.OFF.map(reqPerSec) };
    const lat = (s: Side, p: number) =>
      percentile(
        per[s].flatMap((r) => r.latenciesMs),
        p,
      );
    rows.push(
      {
        name: `${load.name}: req/s, median of rounds`,
        on: median(perRound.ON),
        off: median(perRound.OFF),
        digits: 1,
        rounds: perRound,
      },
      {
        // Server CPU per request is far less moved by scheduling noise than throughput: the cost itself.
        name: `${load.name}: server CPU ms per request`,
        on: cpuPerRequest(per.ON),
        off: cpuPerRequest(per.OFF),
        digits: 3,
        lowerIsBetter: true,
        rounds: {
          ON: per.ON.map((r) => cpuPerRequest([r])),
          OFF: per.OFF.map((r) => cpuPerRequest([r])),
        },
      },
      { name: `${load.name}: latency ms p50`, on: lat('ON', 50), off: lat('OFF', 50), lowerIsBetter: true },
      { name: `${load.name}: latency ms p95`, on: lat('ON', 95), off: lat('OFF', 95), lowerIsBetter: true },
    );
    for (const side of SIDES) {
      const errors = per[side].reduce((a, r) => a + r.errors, 0);
      const first = per[side].find((r) => r.firstError)?.firstError;
      if (errors > 0) notes.push(`${load.name} ${side}: ${errors} errors, first: ${first}`);
      const flagged = per[side].reduce((a, r) => a + r.flagged, 0);
      if (flagged > 0) notes.push(`${load.name} ${side}: ${flagged} asks escalated or shed memory tiers`);
    }
  }
}

const root = packageRoot();
const fixture = path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf');
console.log(
  `bench/telemetry — MNEME_TELEMETRY true vs false, two child servers (node dist/src/main.js), one loaded at a time\n` +
    `${os.availableParallelism()} cores, ${threads} llm threads, ${rounds} rounds each side (ABBA order) after warm-up, ` +
    `at most ${phaseSeconds} s of rounds per phase\n` +
    `decode: random-weight llama ${JSON.stringify(SHAPE)} Q8_0, ${decodeAsks} asks × ${maxTokens} tokens ` +
    `per round, greedy, hint FAST (forced), episodic recall off\n` +
    `requests: tiny fixture model, ${loadSeconds} s per load per round: ask maxTokens 1 × ${askClients} ` +
    `clients (fast-path admission target raised: queue, never refuse), { me { tenant } } × ${queryClients} ` +
    `clients\n`,
);
if (phases.includes('decode')) {
  const bigModel = await synthesizeModel(path.join(root, 'bench/.cache'), fixture);
  log(`model ${path.relative(root, bigModel)}`);
  await decode(bigModel);
}
if (phases.includes('requests')) await requests(fixture);

printReport(rows, notes, TARGET);
console.log(`total ${secs(performance.now() - started)}`);
