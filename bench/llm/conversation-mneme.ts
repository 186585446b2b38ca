import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/app-config.js';
import { askTurn, type TurnSample } from './conversation-clients.js';
import { conversationTurns } from './conversation-turns.js';

// Mneme itself, booted in process as `npm start` boots it, asked over GraphQL HTTP. Each scenario runs under its
// own tenant, so one scenario's conversations are never recalled into another's (and a fresh session really has
// nothing else to recall).

export interface Scenario {
  name: string;
  label: string;
  sessions: number;
  /** All sessions' turn k in flight at once, rather than one after another. */
  concurrent: boolean;
}

export const SCENARIOS: readonly Scenario[] = [
  { name: 'one', label: '1 session', sessions: 1, concurrent: false },
  { name: 'rr', label: '4 sessions round-robin on 2 sequences', sessions: 4, concurrent: false },
  { name: 'conc', label: '4 sessions concurrent on 2 sequences', sessions: 4, concurrent: true },
];

export interface MnemeOptions {
  modelPath: string;
  threads: number;
  contextSize: number;
  system: string;
  promptCache: boolean;
  cacheDiskMb: number;
  /** Each scenario is played this many times, each time under a tenant of its own. */
  repeats: number;
}

export interface MnemeServer {
  url: string;
  close(): Promise<void>;
}

const WARM_UP_TENANT = 'warm';
const tenantOf = (scenario: Scenario, repetition: number) => `${scenario.name}-${repetition}`;
const apiKeyOf = (tenant: string) => `bench-key-${tenant}`;

/** Boots the app on a free loopback port with a fresh data dir (removed on close), 2 sequences, fast path forced. */
export async function startMneme(options: MnemeOptions): Promise<MnemeServer> {
  const dirs = ['data', 'models'].map((d) => mkdtempSync(path.join(os.tmpdir(), `mneme-bench-conv-${d}-`)));
  const reps = Array.from({ length: options.repeats }, (_, r) => r + 1);
  const tenants = [WARM_UP_TENANT, ...SCENARIOS.flatMap((s) => reps.map((r) => tenantOf(s, r)))];
  const app = await createApp(
    loadConfig({
      MNEME_HOST: '127.0.0.1',
      MNEME_API_KEYS: tenants.map((t) => `${apiKeyOf(t)}:${t}`).join(','),
      MNEME_DATA_DIR: dirs[0],
      MNEME_MODELS_DIR: dirs[1],
      MNEME_LLM_MODEL: options.modelPath,
      MNEME_LLM_CONTEXT_SIZE: String(options.contextSize),
      MNEME_LLM_PARALLEL: '2',
      MNEME_LLM_THREADS: String(options.threads),
      MNEME_LLM_SYSTEM_PROMPT: options.system,
      MNEME_LLM_PROMPT_CACHE: String(options.promptCache),
      MNEME_LLM_PROMPT_CACHE_DISK_MB: String(options.cacheDiskMb),
      MNEME_LOG_LEVEL: 'error',
      MNEME_REQUEST_TIMEOUT_MS: '600000',
      MNEME_PERCEPTION_PRELOAD: 'false',
      // Background fact extraction would compete for the engine with the turns being timed.
      MNEME_CONSOLIDATION_INTERVAL_MS: '0',
      MNEME_RATE_LIMIT_REQUESTS: '0',
      MNEME_RATE_LIMIT_TOKENS: '0',
      // `hint: FAST` then forces the fast path: every ask does the same kind of work. Its admission target
      // would refuse the 4-at-once scenario's queued asks, and a random-weight model's answers would escalate.
      MNEME_ROUTING_FORCE_TENANTS: '*',
      MNEME_ROUTING_PATHS: JSON.stringify({ fast: { targetMs: 600_000, escalate: false } }),
      // Recall the same tiers whatever this shared machine's latencies (a lone comma never skips one).
      MNEME_SLO_SHED_FAST: ',',
      // The window's budget and how it slides, to compare policies (e.g. MNEME_WORKING_MEMORY_SLIDE_TURNS=1).
      ...workingMemoryOverrides(),
    }),
    { logger: ['error', 'warn'] },
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: async () => {
      await app.close();
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function workingMemoryOverrides(): Record<string, string> {
  const entries = Object.entries(process.env).filter(([key]) => key.startsWith('MNEME_WORKING_MEMORY_'));
  return Object.fromEntries(entries.filter((e): e is [string, string] => e[1] !== undefined));
}

/** One throwaway ask under a tenant of its own: loads what loads lazily, and recalls into no scenario. */
export async function warmUp(server: MnemeServer, maxTokens: number): Promise<void> {
  const prompt = 'Hello, this is only a warm-up question before the real conversations start.';
  await askTurn(
    { url: server.url, apiKey: apiKeyOf(WARM_UP_TENANT), sessionId: 'warm-up', prompt, maxTokens },
    0,
    0,
  );
}

/**
 * Plays a scenario's sessions turn by turn: every session's turn k before any session's turn k + 1. Each
 * repetition is a tenant of its own (nothing of an earlier one is recalled); its sessions are numbered on.
 */
export async function runScenario(
  server: MnemeServer,
  scenario: Scenario,
  turns: number,
  maxTokens: number,
  repetition = 1,
): Promise<TurnSample[]> {
  const conversations = Array.from({ length: scenario.sessions }, (_, s) => conversationTurns(s, turns));
  const samples: TurnSample[] = [];
  for (let k = 0; k < turns; k++) {
    const asks = conversations.map(
      (conversation, s) => () =>
        askTurn(
          {
            url: server.url,
            apiKey: apiKeyOf(tenantOf(scenario, repetition)),
            sessionId: `${tenantOf(scenario, repetition)}-${s}`,
            prompt: conversation[k]!,
            maxTokens,
          },
          s + (repetition - 1) * scenario.sessions,
          k + 1,
        ),
    );
    if (scenario.concurrent) samples.push(...(await Promise.all(asks.map((ask) => ask()))));
    else for (const ask of asks) samples.push(await ask());
  }
  return samples;
}
