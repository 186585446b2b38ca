import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createApp } from '../../src/app.factory.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { RawLlama } from './raw-llama.js';
import { sampleAsk, sampleAskStream } from './server-clients.js';
import { summarize, type Sample } from './stats.js';
import { SHAPE, synthesizeModel } from './synth-model.js';

// bench/llm: time to first token and decode tokens/s, three ways in one run — raw node-llama-cpp, through `ask`,
// through `askStream` — on a synthesized random-weight GGUF of a real small-model shape. Goal: server/raw ≥ 0.95.
// The three are interleaved (order rotating each round) so machine drift hits them alike; one computes at a time.

const rounds = Number(process.env.BENCH_ITERATIONS ?? 12);
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const threads = Number(process.env.MNEME_LLM_THREADS ?? os.availableParallelism());
const settleMs = Number(process.env.BENCH_SETTLE_MS ?? 1500);
const contextSize = 2048;
const system = 'You are a concise assistant.';
const prompt =
  'Explain, step by step, how a hash map handles collisions, compare open addressing with chaining, ' +
  'and say when you would pick each one in a memory-constrained embedded system with a real-time deadline.';

const root = packageRoot();
console.log(`bench/llm — random-weight llama ${JSON.stringify(SHAPE)} Q8_0 (synthesized once, cached)`);
const modelPath = await synthesizeModel(
  path.join(root, 'bench/.cache'),
  path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf'),
);
console.log(
  `${modelPath}\n${threads} threads, context ${contextSize}, ${maxTokens} new tokens, ${rounds} rounds after 1 warm-up\n`,
);

const raw = await RawLlama.load(modelPath, { threads, contextSize, system, prompt, maxTokens });
// Memory and prompt states of the run go to a temporary data dir, not the checkout's ./data.
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-llm-'));
const app = await createApp(
  loadConfig({
    MNEME_DATA_DIR: dataDir,
    MNEME_LLM_MODEL: modelPath,
    MNEME_LLM_CONTEXT_SIZE: String(contextSize),
    MNEME_LLM_PARALLEL: '1',
    MNEME_LLM_THREADS: String(threads),
    MNEME_LLM_SYSTEM_PROMPT: system,
    // MNEME_LLM_PROMPT_CACHE=false compares against every prompt evaluated from scratch, as raw does.
    MNEME_LLM_PROMPT_CACHE: process.env.MNEME_LLM_PROMPT_CACHE ?? 'true',
    // The server's background LLM work (fact extraction, session summaries) yields to its own requests but not to
    // raw's, which ran beside it at half speed or less: off, so each side is timed alone.
    MNEME_CONSOLIDATION_INTERVAL_MS: '0',
    MNEME_SUMMARY_MIN_TOKENS: '0',
    MNEME_HOST: '127.0.0.1',
  }),
  { logger: ['error', 'warn'] },
);
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}`;
const ws = createClient({
  url: `${url.replace('http', 'ws')}/graphql`,
  webSocketImpl: WebSocket,
  retryAttempts: 0,
});

const samples: Record<'raw' | 'ask' | 'stream', Sample[]> = { raw: [], ask: [], stream: [] };
try {
  for (let round = 0; round <= rounds; round++) {
    // Rotate who goes first each round: position in the round must not favour any path.
    for (let k = 0; k < 3; k++) {
      const path = (['raw', 'ask', 'stream'] as const)[(round + k) % 3]!;
      // What an ask leaves running (remembering: embedding, the episodic write) must not land in the next sample.
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      const sample =
        path === 'raw'
          ? await raw.sample()
          : path === 'ask'
            ? await sampleAsk(url, prompt, maxTokens)
            : await sampleAskStream(ws, prompt, maxTokens);
      if (round > 0) samples[path].push(sample); // round 0 warms up
    }
  }
} finally {
  await ws.dispose();
  await app.close();
  await raw.dispose();
  rmSync(dataDir, { recursive: true, force: true });
}

const base = summarize(samples.raw);
const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
console.log(
  'path                      ttft p50  ttft p95  ttft p99  tok/s p50  tok/s p5  tokens  decode ratio  ttft ratio',
);
for (const [name, list] of [
  ['raw node-llama-cpp', samples.raw],
  ['ask (GraphQL over HTTP)', samples.ask],
  ['askStream (graphql-ws)', samples.stream],
] as const) {
  const s = summarize(list);
  console.log(
    `${name.padEnd(24)} ${fmt(s.ttftP50)}  ${fmt(s.ttftP95)}  ${fmt(s.ttftP99)}  ${fmt(s.tpsP50, 2)}  ${fmt(s.tpsP5, 2)}  ` +
      `${String(s.tokens).padStart(6)}  ${fmt(s.tpsP50 / base.tpsP50, 3)}      ${fmt(base.ttftP50 / s.ttftP50, 3)}`,
  );
}
console.log(
  '\nms and tokens/s; ratios are server/raw on medians (decode: server ÷ raw tok/s; ttft: raw ÷ server ms); goal ≥ 0.95',
);
