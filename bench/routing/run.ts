import path from 'node:path';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { createApp } from '../../src/app.factory.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { readFileSync } from 'node:fs';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { LearnedRouter, routerInput } from '../../src/modules/routing/learned-router.js';
import { parseLabelled, trainRouter } from '../../src/modules/routing/router-training.js';
import { routeByRules, type RouteRequest } from '../../src/modules/routing/rule-router.js';
import { percentile } from '../llm/stats.js';

// bench/routing: (1) rule-router decision time over a mixed prompt set; (2) an open-model load test: asks
// arrive as a Poisson process at a fixed rate whatever the server's state (not a closed loop, which would hide
// queueing), against the real server on the bundled tiny LLM, and per path we report latency, the refused
// fraction and throughput. The tiny model keeps generation cheap, so the figures are the server's own overhead
// and its admission behaviour; the path limits are set small so the load reaches them.

const PROMPTS = [
  'Hi!',
  'What is the capital of France?',
  'Thanks!',
  'Explain why the sky is blue.',
  'Compare tea versus coffee for focus.',
  'What is 17 * 23?',
  'Solve step by step: how many apples are left if 3 * 7 are eaten from 50? Explain why.',
  'Write a detailed essay on the pros and cons of remote work.',
];
const fmt = (x: number) => x.toFixed(3).padStart(9);

// (1) Decision time.
const requests: RouteRequest[] = Array.from({ length: 20_000 }, (_, i) => ({
  prompt: PROMPTS[i % PROMPTS.length]! + ' '.repeat(i % 7),
  media: i % 11 === 0 ? 1 : 0,
  maxTokens: i % 5 === 0 ? 2000 : undefined,
  hint: undefined,
  mayForce: false,
}));
for (const r of requests.slice(0, 2000)) routeByRules(r); // warm-up
const decision: number[] = [];
for (const r of requests) {
  const start = performance.now();
  routeByRules(r);
  decision.push(performance.now() - start);
}
console.log('bench/routing — rule router over 20 000 requests');
console.log(
  `  decision ms  p50 ${fmt(percentile(decision, 50))}  p95 ${fmt(percentile(decision, 95))}  p99 ${fmt(percentile(decision, 99))}  (target < 1 ms)`,
);

// (1b) The learned router: trained on bench/routing/labelled.jsonl (80 %), scored on the held-out 20 %, timed
// per decision including the request's embedding (the bundled text embedder unless configured).
const embedder = new TextEmbedderService(loadConfig({ MNEME_LOG_LEVEL: 'error' }), new ModelCatalog());
const identity = await embedder.identity();
const labelled = parseLabelled(
  readFileSync(path.join(packageRoot(), 'bench/routing/labelled.jsonl'), 'utf8'),
  'labelled.jsonl',
);
const report = await trainRouter(labelled, (t) => embedder.embed(t), `${identity.name}:${identity.dims}`);
const routerPath = path.join(mkdtempSync(path.join(os.tmpdir(), 'mneme-router-')), 'router.json');
writeFileSync(routerPath, JSON.stringify(report.file));
const learned = LearnedRouter.load(routerPath, report.file.embedder);
const learnedMs: number[] = [];
for (let i = 0; i < 600; i++) {
  const r = requests[i]!;
  const start = performance.now();
  const [vector] = await embedder.embed([r.prompt]);
  learned.classify(routerInput(vector!, r));
  if (i >= 100) learnedMs.push(performance.now() - start); // the first 100 warm up
}
await embedder.onApplicationShutdown();
const { heldOut } = report.file;
console.log(
  `  learned ms   p50 ${fmt(percentile(learnedMs, 50))}  p95 ${fmt(percentile(learnedMs, 95))}  p99 ${fmt(percentile(learnedMs, 99))}  (target < 10 ms; embedder ${report.file.embedder})`,
);
console.log(
  `  held-out accuracy on ${heldOut.examples} of ${labelled.length} labelled requests: learned ${(100 * heldOut.accuracy).toFixed(1)} %, rules ${(100 * heldOut.rulesAccuracy).toFixed(1)} %`,
);

// (2) Open-model load.
const rate = Number(process.env.BENCH_RATE ?? 20); // arrivals per second
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const root = packageRoot();
const app = await createApp(
  loadConfig({
    MNEME_HOST: '127.0.0.1',
    MNEME_LLM_MODEL: path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf'),
    MNEME_LLM_CONTEXT_SIZE: '1024',
    MNEME_LLM_PARALLEL: '4',
    MNEME_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-routing-')),
    MNEME_PERCEPTION_PRELOAD: 'false',
    MNEME_LOG_LEVEL: 'error',
    MNEME_ROUTING_PATHS: JSON.stringify({
      fast: { concurrency: 2, queue: 4 },
      medium: { concurrency: 1, queue: 4 },
      deep: { concurrency: 1, queue: 2 },
    }),
  }),
  { logger: ['error'] },
);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}/graphql`;
const ask = async (prompt: string) => {
  const start = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: AskInput!) { ask(input: $i) { route { path } } }',
      variables: { i: { prompt, maxTokens: 16, temperature: 0 } },
    }),
  });
  const body = (await response.json()) as {
    data?: { ask: { route: { path: string } } } | null;
    errors?: { extensions: { code: string; path?: string } }[];
  };
  const ms = performance.now() - start;
  if (body.data) return { path: body.data.ask.route.path.toLowerCase(), ms, refused: false };
  const error = body.errors?.[0]?.extensions;
  if (error?.code !== 'OVERLOADED') throw new Error(JSON.stringify(body.errors));
  return { path: error.path ?? 'unknown', ms, refused: true };
};
for (const p of PROMPTS) await ask(p); // warm-up

console.log(`\nopen-model load: Poisson arrivals at ${rate}/s for ${seconds} s, prompts mixed across paths`);
const results: Promise<{ path: string; ms: number; refused: boolean }>[] = [];
const started = performance.now();
let t = 0;
let i = 0;
while (t < seconds * 1000) {
  t += -Math.log(1 - Math.random()) * (1000 / rate); // exponential inter-arrival times
  const wait = started + t - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  results.push(ask(PROMPTS[i++ % PROMPTS.length]!));
}
const done = await Promise.all(results);
const elapsed = (performance.now() - started) / 1000;
await app.close();

console.log('path      sent   answered   refused     p50 ms    p95 ms    p99 ms   answered/s');
for (const p of ['fast', 'medium', 'deep']) {
  const mine = done.filter((r) => r.path === p);
  const ok = mine.filter((r) => !r.refused).map((r) => r.ms);
  const refused = mine.length - ok.length;
  const q = (x: number) => (ok.length ? percentile(ok, x).toFixed(1) : '–').padStart(9);
  console.log(
    `${p.padEnd(8)} ${String(mine.length).padStart(5)} ${String(ok.length).padStart(10)} ${`${((100 * refused) / Math.max(1, mine.length)).toFixed(1)} %`.padStart(9)}  ${q(50)} ${q(95)} ${q(99)}   ${(ok.length / elapsed).toFixed(2).padStart(8)}`,
  );
}
const refusedAll = done.filter((r) => r.refused).length;
console.log(
  `all      ${String(done.length).padStart(5)} ${String(done.length - refusedAll).padStart(10)} ${`${((100 * refusedAll) / done.length).toFixed(1)} %`.padStart(9)}   every request answered or refused: ${done.length === i}`,
);
