import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import { generateToEnd, type GenerationResult } from '../../src/engines/llm/llm-engine.js';
import { firstLocalModel } from '../../src/engines/llm/model-locator.js';
import { percentile } from './stats.js';
import { SHAPE, synthesizeModel } from './synth-model.js';

// bench/llm/scoring: what token scores (OpenAI logprobs, the entropy escalation uses) cost in decode speed.
// One engine on the synthesized ~0.45B GGUF; per round, the same request without scores, with scores and with
// five alternatives per token, paired (in rotating order) so machine drift hits all alike. Greedy sampling is the costly case
// (llama.cpp sorts the whole vocabulary for top alternatives); with temperature, top-k has sorted 40.
// Goal: decode tokens/s with scores ÷ without ≥ 0.95.

const rounds = Number(process.env.BENCH_ITERATIONS ?? 8);
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const threads = Number(process.env.MNEME_LLM_THREADS ?? os.availableParallelism());
const prompt = 'Write a short story about a lighthouse keeper who finds a message in a bottle.';

const root = packageRoot();
const fixture = path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf');
const file = await synthesizeModel(path.join(root, 'bench/.cache'), fixture, SHAPE);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-scoring-'));
const { llm } = loadConfig({
  MNEME_DATA_DIR: dataDir,
  MNEME_LLM_MODEL: file,
  MNEME_LLM_CONTEXT_SIZE: '2048',
  MNEME_LLM_PARALLEL: '1',
  MNEME_LLM_THREADS: String(threads),
  MNEME_LLM_PROMPT_CACHE: 'false',
});
const engine = new LlamaCppEngine(llm, firstLocalModel(llm));
const ctx = { tenant: 'bench', signal: new AbortController().signal, trace: ROOT_CONTEXT };
console.log(`bench/llm/scoring — ${path.basename(file)}, ${threads} threads, up to ${maxTokens} new tokens`);
console.log(`${rounds} paired rounds per sampling after 1 warm-up\n`);

const VARIANTS = { 'no scores': undefined, logprobs: 0, 'top 5': 5 } as const;
type Variant = keyof typeof VARIANTS;

function run(variant: Variant, temperature: number, seed: number): Promise<GenerationResult> {
  const logprobs = VARIANTS[variant];
  return generateToEnd(
    engine,
    {
      messages: [{ role: 'user', content: prompt }],
      maxTokens,
      temperature,
      seed,
      ...(logprobs !== undefined && { logprobs }),
    },
    ctx,
  );
}

const p50 = (values: number[]) => percentile(values, 50);
try {
  await engine.load();
  console.log('sampling      variant     decode tok/s p50  ÷ no scores  TTFT p50   tokens');
  let worst = Infinity;
  for (const temperature of [0, 0.7]) {
    const rates = new Map<Variant, number[]>();
    const ttfts = new Map<Variant, number[]>();
    const tokens = new Map<Variant, number[]>();
    for (let round = 0; round <= rounds; round++) {
      // The order rotates each round: whichever ran first in a fixed order read ~15 % slower at greedy.
      const order = Object.keys(VARIANTS) as Variant[];
      for (const variant of [...order.slice(round % 3), ...order.slice(0, round % 3)]) {
        const result = await run(variant, temperature, round);
        if (round === 0) continue;
        rates.set(variant, [...(rates.get(variant) ?? []), result.timings.tokensPerSecond]);
        ttfts.set(variant, [...(ttfts.get(variant) ?? []), result.timings.ttftMs]);
        tokens.set(variant, [...(tokens.get(variant) ?? []), result.usage.completionTokens]);
      }
    }
    const base = p50(rates.get('no scores')!);
    for (const variant of Object.keys(VARIANTS) as Variant[]) {
      const rate = p50(rates.get(variant)!);
      if (variant !== 'no scores') worst = Math.min(worst, rate / base);
      const sampling = temperature === 0 ? 'greedy' : `temp ${temperature}`;
      console.log(
        `${sampling.padEnd(12)}  ${variant.padEnd(10)}  ${rate.toFixed(2).padStart(16)}  ${(rate / base).toFixed(3).padStart(11)}  ` +
          `${p50(ttfts.get(variant)!).toFixed(0).padStart(6)} ms  ${p50(tokens.get(variant)!).toFixed(0).padStart(6)}`,
      );
    }
  }
  console.log(
    `\nworst decode ratio with scores: ${worst.toFixed(3)} (goal ≥ 0.95) ${worst >= 0.95 ? 'MET' : 'MISSED'}`,
  );
} finally {
  await engine.unload();
  rmSync(dataDir, { recursive: true, force: true });
}
