import path from 'node:path';
import { packageRoot } from '../../src/common/package-root.js';
import { AnchorSession } from './anchor-session.js';
import type { TurnSample } from './conversation-clients.js';
import { conversationGoals, printGoals, type ConversationResults } from './conversation-goals.js';
import { runScenario, SCENARIOS, startMneme, warmUp } from './conversation-mneme.js';
import { median, printEvalCost, printMultiSession, printSingleSession } from './conversation-report.js';
import { conversationTurns, MAX_SESSIONS, MAX_TURNS, SYSTEM_PROMPT } from './conversation-turns.js';
import { measureEvalCost } from './eval-cost.js';
import { SHAPE, synthesizeModel } from './synth-model.js';
import { tokensPerWord } from './word-vocab.js';

// bench/llm conversation mode (#16): a 12-turn chat, per turn prompt and cached tokens and time to first token,
// Mneme with its prompt cache on and off beside a plain LlamaChatSession (the anchor), for 1 session and for 4
// sessions on 2 sequences (round-robin, then all at once). Cache on and off are two apps, one after the other.
//
// BENCH_TURNS (12), BENCH_MAX_TOKENS (16), MNEME_LLM_THREADS (2), BENCH_CACHE_DISK_MB (1024), BENCH_REPEATS (1),
// BENCH_SMALL=1: the tiny fixture GGUF (byte-level vocabulary) for a quick check of the harness,
// BENCH_ANCHOR_ONLY=1: the anchor and the model's evaluation times only, no server,
// BENCH_SCENARIOS=one,rr,conc and BENCH_CACHE_MODES=on,off: a subset (e.g. to compare window policies with
// MNEME_WORKING_MEMORY_TOKENS and MNEME_WORKING_MEMORY_SLIDE_TURNS, which reach the server).

const small = process.env.BENCH_SMALL === '1';
const anchorOnly = process.env.BENCH_ANCHOR_ONLY === '1';
const turns = Math.min(MAX_TURNS, Number(process.env.BENCH_TURNS ?? MAX_TURNS));
const maxTokens = Number(process.env.BENCH_MAX_TOKENS ?? 16);
const threads = Number(process.env.MNEME_LLM_THREADS ?? 2);
const cacheDiskMb = Number(process.env.BENCH_CACHE_DISK_MB ?? 1024);
// Each conversation (anchor included) played this many times; tables show per-turn medians.
const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 1));
const contextSize = small ? 2048 : SHAPE.context;
const listed = (name: string, all: string) => new Set((process.env[name] ?? all).split(','));
const scenarios = SCENARIOS.filter((s) => listed('BENCH_SCENARIOS', 'one,rr,conc').has(s.name));
const cacheModes = [true, false].filter((on) => listed('BENCH_CACHE_MODES', 'on,off').has(on ? 'on' : 'off'));

const root = packageRoot();
const fixture = path.join(root, 'test/fixtures/models/tiny-llama/tiny-llama.gguf');
const modelPath = small ? fixture : await synthesizeModel(path.join(root, 'bench/.cache'), fixture);
console.log(
  `bench/llm conversation — ${small ? 'tiny fixture model' : `random-weight llama ${JSON.stringify(SHAPE)} Q8_0`}\n` +
    `${modelPath}\n${threads} threads, context ${contextSize} per sequence, ${turns} turns, ` +
    `${maxTokens} new tokens per answer, greedy, fast path`,
);

const anchor = await AnchorSession.load(modelPath, { threads, contextSize });
const sessionTexts = Array.from({ length: MAX_SESSIONS }, (_, s) => conversationTurns(s, turns).join(' '));
const allText = sessionTexts.join(' ');
const words = allText.split(/\s+/).length;
const ratio = tokensPerWord(allText, (text) => anchor.model.tokenize(text));
console.log(
  `vocabulary: ${ratio.toFixed(2)} tokens per word over the ${MAX_SESSIONS} sessions' user turns (${words} words)\n`,
);

await anchor.converse(SYSTEM_PROMPT, ['Hello, this is only a warm-up question.'], maxTokens);
const anchorSamples: TurnSample[] = [];
for (let r = 0; r < repeats; r++) {
  const samples = await anchor.converse(SYSTEM_PROMPT, conversationTurns(0, turns), maxTokens);
  anchorSamples.push(...samples.map((s) => ({ ...s, session: r })));
}
const prefixes = [0, 512, 1024, 2048].filter((p) => p + 256 <= contextSize);
const cost = await measureEvalCost(anchor.context, anchor.model.tokenize(allText), {
  prefixes,
  sizes: [32, 256],
  repetitions: 3,
});
await anchor.dispose();
printEvalCost(cost);

const results: ConversationResults = { anchor: anchorSamples, on: {}, off: {}, cost };
if (!anchorOnly) {
  for (const promptCache of cacheModes) {
    const server = await startMneme({
      modelPath,
      threads,
      contextSize,
      system: SYSTEM_PROMPT,
      promptCache,
      cacheDiskMb,
      repeats,
    });
    try {
      await warmUp(server, maxTokens);
      for (const scenario of scenarios) {
        const samples: TurnSample[] = [];
        for (let r = 1; r <= repeats; r++)
          samples.push(...(await runScenario(server, scenario, turns, maxTokens, r)));
        (promptCache ? results.on : results.off)[scenario.name] = samples;
      }
    } finally {
      await server.close();
    }
  }
}

console.log(`\n1 session: anchor (LlamaChatSession) beside Mneme; time to first token in ms`);
printSingleSession(anchorSamples, results.on.one ?? [], results.off.one ?? []);
for (const scenario of scenarios.filter((s) => s.sessions > 1 && !anchorOnly)) {
  console.log(
    `\n${scenario.label}: compute = TTFT less queueing; eval(new) = model time for the new tokens only`,
  );
  printMultiSession(results.on[scenario.name] ?? [], results.off[scenario.name] ?? [], cost);
}
const rates = scenarios.map(
  (s) => `${s.name} on ${rateOf(results.on[s.name])} off ${rateOf(results.off[s.name])}`,
);
console.log(`\ndecode tokens/s (median): anchor ${rateOf(anchorSamples)}; ${rates.join('; ')}`);
if (!anchorOnly) {
  console.log('\ngoals (issue #16)');
  printGoals(conversationGoals(results));
}

function rateOf(samples: TurnSample[] | undefined): string {
  return samples?.length ? median(samples.map((s) => s.tokensPerSecond)).toFixed(1) : '-';
}
