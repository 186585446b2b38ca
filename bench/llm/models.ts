import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { ModelFleet } from '../../src/engines/llm/fleet/model-fleet.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import { generateToEnd } from '../../src/engines/llm/llm-engine.js';
import { servedModels } from '../../src/engines/llm/model-locator.js';
import { percentile } from './stats.js';
import { SHAPE, synthesizeModel } from './synth-model.js';

// bench/llm/models: what serving several models costs — a cold load, the first token after it, and two models
// serving interleaved paths — on two synthesized random-weight GGUFs (a ~0.45B "deep" and a ~0.1B "fast").
// Paired within each round so machine drift hits both sides alike; one computes at a time:
//   after-same:   a model's request right after its own (what a single-model server sees)
//   after-other:  a model's request right after the other model's, both loaded (interleaved paths)
//   switching:    the same alternation under a budget that holds one: every request unloads the other first
//   ensemble:     one sample on each model at once (an ensemble's samples), against each alone: efficiency =
//                 completion tokens/s of the pair ÷ the sum of the members' solo rates (1: no contention; a
//                 fast member that finishes first and idles lowers it), and the speed-up over drawing the
//                 samples one after another
// Goal: after-other ÷ after-same TTFT ≤ 1.05 per model (serving two models costs no first-token time).

const rounds = Number(process.env.BENCH_ITERATIONS ?? 8);
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 32);
const threads = Number(process.env.MNEME_LLM_THREADS ?? os.availableParallelism());
const SMALL = { ...SHAPE, hidden: 512, layers: 8, heads: 8, kvHeads: 2, ffn: 1536 };
const prompt = 'Explain how a hash map handles collisions, and when you would pick open addressing.';

const root = packageRoot();
const cache = path.join(root, 'bench/.cache');
const fixture = path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf');
const files = {
  fast: await synthesizeModel(cache, fixture, SMALL),
  deep: await synthesizeModel(cache, fixture, SHAPE),
};
console.log(`bench/llm/models — fast ${path.basename(files.fast)}, deep ${path.basename(files.deep)}`);
console.log(`${threads} threads, ${maxTokens} new tokens, ${rounds} rounds per phase after 1 warm-up\n`);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-models-'));
const ctx = { tenant: 'bench', signal: new AbortController().signal, trace: ROOT_CONTEXT };

function fleetWith(budgetMb: number): ModelFleet {
  const { llm } = loadConfig({
    MNEME_DATA_DIR: dataDir,
    MNEME_LLM_MODELS: `fast=${files.fast},deep=${files.deep}`,
    MNEME_LLM_CONTEXT_SIZE: '2048',
    MNEME_LLM_PARALLEL: '1',
    MNEME_LLM_THREADS: String(threads),
    MNEME_LLM_MEMORY_BUDGET_MB: String(budgetMb),
    // Every request evaluates its prompt: the phases compare loads and engines, not the prompt cache.
    MNEME_LLM_PROMPT_CACHE: 'false',
  });
  return new ModelFleet(llm, servedModels(llm), (spec) => new LlamaCppEngine(llm, spec));
}

/** Wall time of one request from the call (a load included when one is needed), and the engine's own TTFT. */
async function request(fleet: ModelFleet, model: string) {
  const started = performance.now();
  const result = await generateToEnd(
    fleet,
    { model, messages: [{ role: 'user', content: prompt }], maxTokens },
    ctx,
  );
  return {
    wallFirstTokenMs: performance.now() - started - (result.timings.totalMs - result.timings.ttftMs),
    ttftMs: result.timings.ttftMs,
  };
}

type Model = 'fast' | 'deep';
const MODELS = ['fast', 'deep'] as const;
const other = (model: Model): Model => (model === 'fast' ? 'deep' : 'fast');
type Samples = Record<Model, number[]>;

/** Per round and model: the other model, then this one (after-other), then this one again (after-same). */
async function paired(fleet: ModelFleet) {
  const afterOther: Samples = { fast: [], deep: [] };
  const afterSame: Samples = { fast: [], deep: [] };
  for (let round = 0; round <= rounds; round++) {
    for (const model of MODELS) {
      await request(fleet, other(model));
      const switched = await request(fleet, model);
      const same = await request(fleet, model);
      if (round === 0) continue; // warm-up
      afterOther[model].push(switched.ttftMs);
      afterSame[model].push(same.ttftMs);
    }
  }
  return { afterOther, afterSame };
}

/** The alternation under a budget that holds one model: the wall time to each first token, load included. */
async function switching(fleet: ModelFleet): Promise<Samples> {
  const wall: Samples = { fast: [], deep: [] };
  for (let round = 0; round <= rounds; round++) {
    for (const model of MODELS) {
      const sample = await request(fleet, model);
      if (round > 0) wall[model].push(sample.wallFirstTokenMs);
    }
  }
  return wall;
}

/** Requests on `models` at once: completion tokens and the wall time until the last ends (prompts included). */
async function timed(fleet: ModelFleet, models: readonly Model[]): Promise<{ tokens: number; ms: number }> {
  const started = performance.now();
  const results = await Promise.all(
    models.map((model) =>
      generateToEnd(fleet, { model, messages: [{ role: 'user', content: prompt }], maxTokens }, ctx),
    ),
  );
  return {
    tokens: results.reduce((sum, r) => sum + r.usage.completionTokens, 0),
    ms: performance.now() - started,
  };
}

/** Per round: each model alone, then both at once (an ensemble drawing one sample on each). */
async function ensemble(fleet: ModelFleet) {
  const efficiency: number[] = [];
  const gain: number[] = [];
  const rate = ({ tokens, ms }: { tokens: number; ms: number }) => (tokens * 1000) / ms;
  for (let round = 0; round <= rounds; round++) {
    const fast = await timed(fleet, ['fast']);
    const deep = await timed(fleet, ['deep']);
    const pair = await timed(fleet, MODELS);
    if (round === 0) continue;
    efficiency.push(rate(pair) / (rate(fast) + rate(deep)));
    gain.push((fast.ms + deep.ms) / pair.ms); // against the two drawn one after another
  }
  return { efficiency, gain };
}

const p50 = (values: number[]) => percentile(values, 50);
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const big = fleetWith(64 * 1024);
const estimates: Record<Model, number> = { fast: 0, deep: 0 };
const coldLoads: Samples = { fast: [], deep: [] };
try {
  for (const model of MODELS) {
    for (let i = 0; i < 3; i++) {
      await big.unloadModel(model);
      coldLoads[model].push((await big.loadModel(model)).loadMs!);
    }
    estimates[model] = big.models().find((m) => m.name === model)!.memoryEstimateBytes!;
  }
  const { afterOther, afterSame } = await paired(big);
  const ensembled = await ensemble(big);
  await big.unload();
  // A budget that holds the deep model but not both: each alternation unloads the other.
  const oneFits = fleetWith(Math.ceil((Math.max(estimates.fast, estimates.deep) * 1.2) / 1024 / 1024));
  const switched = await switching(oneFits);
  await oneFits.unload();

  console.log(
    'model  estimate  cold load p50  TTFT p50 after same  after other  ratio  switching, first token p50',
  );
  for (const model of MODELS) {
    const ratio = p50(afterOther[model]) / p50(afterSame[model]);
    console.log(
      `${model.padEnd(6)} ${mb(estimates[model]).padStart(8)}  ${p50(coldLoads[model]).toFixed(0).padStart(10)} ms  ` +
        `${p50(afterSame[model]).toFixed(1).padStart(14)} ms  ${p50(afterOther[model]).toFixed(1).padStart(8)} ms  ` +
        `${ratio.toFixed(2)}  ${p50(switched[model]).toFixed(0).padStart(8)} ms (load included)`,
    );
  }
  console.log(
    `\nensemble, one sample on each model at once: efficiency p50 ${p50(ensembled.efficiency).toFixed(2)} ` +
      `(tokens/s of the pair ÷ the sum of the members' solo rates), ${p50(ensembled.gain).toFixed(2)}× the speed ` +
      'of drawing the two samples one after another',
  );
  const worst = Math.max(...MODELS.map((m) => p50(afterOther[m]) / p50(afterSame[m])));
  console.log(
    `\nafter-other ÷ after-same TTFT, worst model: ${worst.toFixed(2)} (goal ≤ 1.05) ${worst <= 1.05 ? 'MET' : 'MISSED'}`,
  );
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
