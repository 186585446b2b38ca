import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { percentile } from './stats.js';

// bench/llm/models-api: how fast the model API answers (seed 001's targets: list < 50 ms, stats < 25 ms), over
// HTTP against the real server with two served models, both loaded and having served a request, so every stat
// has values to report. Sequential requests (one client), after a warm-up.

const requests = Number(process.env.BENCH_ITERATIONS ?? 300);
const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-models-api-'));
const fixture = path.join(packageRoot(), 'test/fixtures/models/tiny-llama/tiny-llama.gguf');
for (const name of ['small', 'big']) copyFileSync(fixture, path.join(dir, `${name}.gguf`));
const app = await createApp(
  loadConfig({
    MNEME_HOST: '127.0.0.1',
    MNEME_LLM_MODEL: '',
    MNEME_MODELS_DIR: dir,
    MNEME_LLM_MODELS: `small=${path.join(dir, 'small.gguf')},big=${path.join(dir, 'big.gguf')}`,
    MNEME_DATA_DIR: path.join(dir, 'data'),
    MNEME_PERCEPTION_PRELOAD: 'false',
    MNEME_LOG_LEVEL: 'error',
  }),
  { logger: ['error'] },
);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const base = `http://127.0.0.1:${address.port}`;

const graphql = async (query: string) => {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
};
const STATS = `{ models { name kind state isDefault diskBytes memoryEstimateBytes memoryBytes loadedAt lastUsedAt
  loadMs requests ttftP50Ms decodeTokensPerSecondP50 keepAliveSeconds contextSize parallel } }`;
const CALLS = {
  'list: GET /v1/models': async () => void (await (await fetch(`${base}/v1/models`)).json()),
  'list: query models { name state }': () => graphql('{ models { name kind state } }'),
  'stats: query models { every stat }': () => graphql(STATS),
  'query system': () => graphql('{ system { tier cores freeMemoryBytes gpus } }'),
};

async function timed(call: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await call(); // warm-up
  const ms: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    await call();
    ms.push(performance.now() - started);
  }
  return ms;
}

try {
  for (const model of ['small', 'big']) {
    await graphql(`mutation { ask(input: {prompt: "hi", model: "${model}", maxTokens: 4}) { text } }`);
  }
  console.log(`bench/llm/models-api — ${requests} sequential requests each, two models loaded\n`);
  console.log('call                                   p50 ms   p95 ms   p99 ms');
  for (const [name, call] of Object.entries(CALLS)) {
    const ms = await timed(call);
    const [p50, p95, p99] = [50, 95, 99].map((p) => percentile(ms, p).toFixed(2).padStart(7));
    console.log(`${name.padEnd(36)} ${p50}  ${p95}  ${p99}`);
  }
  console.log('\ntargets (seed 001): list < 50 ms, stats < 25 ms');
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
