import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { ModelFleet } from '../../src/engines/llm/fleet/model-fleet.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import { generateToEnd } from '../../src/engines/llm/llm-engine.js';
import { servedModels } from '../../src/engines/llm/model-locator.js';
import { OpenAiRemoteEngine } from '../../src/engines/llm/openai-remote.engine.js';
import {
  fitEntropyThreshold,
  scoreThreshold,
  type EntropySample,
} from '../../src/modules/routing/entropy-threshold.js';
import { parseLabelled } from '../../src/modules/routing/router-training.js';
import { percentile } from '../llm/stats.js';

// npm run calibrate:entropy — the fast path's escalation threshold for the model this configuration serves
// (the same MNEME_* settings as the server): each request of bench/routing/labelled.jsonl (or CALIBRATE_DATA)
// answered on the fast path's model and settings with its tokens scored (system prompt and question, no
// memory), then the mean min-entropy that best tells requests labelled beyond fast from those labelled fast,
// fitted on four in five requests and judged on the fifth.
// Meaningful only with a real model: the bundled test model's entropies are noise.

const config = loadConfig(process.env);
const fast = config.routing.paths.fast;
const limit = Number(process.env.CALIBRATE_LIMIT ?? Infinity);
const maxTokens = Number(process.env.CALIBRATE_MAX_TOKENS ?? fast.maxTokens);
const data = process.env.CALIBRATE_DATA ?? path.join(packageRoot(), 'bench/routing/labelled.jsonl');
const labelled = parseLabelled(readFileSync(data, 'utf8'), data).slice(0, limit);

const fleet = new ModelFleet(config.llm, servedModels(config.llm), (spec) =>
  spec.engine === 'remote' ? new OpenAiRemoteEngine(config.llm) : new LlamaCppEngine(config.llm, spec),
);
const model = fast.model === 'default' ? undefined : fast.model;
const ctx = { tenant: 'calibration', signal: new AbortController().signal, trace: ROOT_CONTEXT };
console.log(
  `calibrating fast-path escalation on ${model ?? 'the default model'}: ${labelled.length} labelled requests, ` +
    `up to ${maxTokens} tokens each, temperature ${fast.temperature}`,
);

const samples: (EntropySample & { path: string })[] = [];
try {
  for (const [i, request] of labelled.entries()) {
    const result = await generateToEnd(
      fleet,
      {
        model,
        messages: [
          { role: 'system', content: config.llm.systemPrompt },
          { role: 'user', content: request.prompt },
        ],
        maxTokens,
        temperature: fast.temperature,
        logprobs: 0,
      },
      ctx,
    );
    const entropy = result.scores?.meanEntropy;
    if (entropy === undefined) throw new Error(`model ${result.model} does not score its tokens`);
    samples.push({ entropy, hard: request.path !== 'fast', path: request.path });
    if ((i + 1) % 20 === 0) console.log(`  ${i + 1} of ${labelled.length}`);
  }
} finally {
  await fleet.unload();
}

for (const label of ['fast', 'medium', 'deep']) {
  const values = samples.filter((s) => s.path === label).map((s) => s.entropy);
  if (values.length === 0) continue;
  const [p25, p50, p75] = [25, 50, 75].map((p) => percentile(values, p).toFixed(3));
  console.log(
    `  labelled ${label.padEnd(6)} n=${String(values.length).padStart(3)}  entropy p25 ${p25}  p50 ${p50}  p75 ${p75}`,
  );
}
const heldOut = samples.filter((_, i) => i % 5 === 4);
const fit = fitEntropyThreshold(samples.filter((_, i) => i % 5 !== 4));
const judged = scoreThreshold(heldOut, fit.threshold);
const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
console.log(
  `\nbest threshold ${fit.threshold.toFixed(3)} nats (balanced accuracy ${pct(fit.balancedAccuracy)} where ` +
    `fitted); on the ${heldOut.length} held-out requests it escalates ${pct(judged.truePositiveRate)} of harder ` +
    `ones and ${pct(judged.falsePositiveRate)} of fast ones (balanced accuracy ${pct(judged.balancedAccuracy)})`,
);
// Below this, entropy tells the labels apart little better than chance: escalating on it would only add cost.
const USEFUL_ACCURACY = 0.6;
if (judged.balancedAccuracy < USEFUL_ACCURACY) {
  console.log('entropy barely separates these labels with this model: leave escalateEntropy unset');
} else {
  console.log(`set it with MNEME_ROUTING_PATHS='{"fast":{"escalateEntropy":${fit.threshold.toFixed(3)}}}'`);
}
