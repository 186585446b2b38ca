import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { packageRoot } from '../../src/common/package-root.js';
import { loadConfig } from '../../src/config/app-config.js';
import { measureRaw } from './raw-llama.js';
import { measureAsk, measureAskStream } from './server-clients.js';
import { summarize, type Sample } from './stats.js';
import { SHAPE, synthesizeModel } from './synth-model.js';

// bench/llm: time to first token and decode tokens/s, three ways in one run — raw node-llama-cpp, through `ask`,
// through `askStream` — on a synthesized random-weight GGUF of a real small-model shape. Goal: server/raw ≥ 0.95.

const iterations = Number(process.env.BENCH_ITERATIONS ?? 5);
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 64);
const threads = Number(process.env.MNEME_LLM_THREADS ?? os.availableParallelism());
const contextSize = 2048;
const system = 'You are a concise assistant.';
const prompt =
  'Explain, step by step, how a hash map handles collisions, compare open addressing with chaining, ' +
  'and say when you would pick each one in a memory-constrained embedded system with a real-time deadline.';

const root = packageRoot();
console.log(`bench/llm — synthesizing/reusing a random-weight llama ${JSON.stringify(SHAPE)} Q8_0 …`);
const modelPath = await synthesizeModel(
  path.join(root, 'bench/.cache'),
  path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf'),
);
console.log(
  `model ${modelPath}; ${threads} threads, context ${contextSize}, ${maxTokens} new tokens, ${iterations} runs after 1 warm-up\n`,
);

const raw = await measureRaw(modelPath, { threads, contextSize, system, prompt, maxTokens, iterations });

const config = loadConfig({
  MNEME_LLM_MODEL: modelPath,
  MNEME_LLM_CONTEXT_SIZE: String(contextSize),
  MNEME_LLM_PARALLEL: '1',
  MNEME_LLM_THREADS: String(threads),
  MNEME_LLM_SYSTEM_PROMPT: system,
  MNEME_LOG_LEVEL: 'warn',
  MNEME_HOST: '127.0.0.1',
});
const app = await createApp(config, { logger: ['error', 'warn'] });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.getHttpServer().address();
if (typeof address !== 'object' || address === null) throw new Error('no address');
const url = `http://127.0.0.1:${address.port}`;
const ask = await measureAsk(url, prompt, maxTokens, iterations);
const stream = await measureAskStream(`${url.replace('http', 'ws')}/graphql`, prompt, maxTokens, iterations);
await app.close();

const rows: [string, Sample[]][] = [
  ['raw node-llama-cpp', raw],
  ['ask (GraphQL HTTP)', ask],
  ['askStream (graphql-ws)', stream],
];
const base = summarize(raw);
const fmt = (n: number, digits = 1) => n.toFixed(digits).padStart(8);
console.log(
  'path                     ttft p50  ttft p95  ttft p99   tok/s p50  tok/s p5  tokens  decode ratio  ttft ratio',
);
for (const [name, samples] of rows) {
  const s = summarize(samples);
  console.log(
    `${name.padEnd(24)} ${fmt(s.ttftP50)}  ${fmt(s.ttftP95)}  ${fmt(s.ttftP99)}  ${fmt(s.tpsP50, 2)}  ${fmt(s.tpsP5, 2)}  ${String(s.tokens).padStart(6)}  ` +
      `${fmt(s.tpsP50 / base.tpsP50, 3)}      ${fmt(base.ttftP50 / s.ttftP50, 3)}`,
  );
}
console.log(
  '\nratios are server/raw on medians (decode: tok/s server ÷ raw; ttft: raw ÷ server); goal ≥ 0.95',
);
