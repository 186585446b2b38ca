import type { Sample } from '../llm/stats.js';
import { gql } from './servers.js';

// The two loads bench/telemetry puts on a server: one long ask at a time (decode rate), and closed-loop
// clients sending small requests for a fixed time (requests/s and latency).

const ASK = `mutation($input: AskInput!) { ask(input: $input) {
  route { escalated } memory { skipped } usage { completionTokens } timings { ttftMs tokensPerSecond } } }`;

interface AskData {
  ask: {
    route: { escalated: boolean };
    memory: { skipped: string[] };
    usage: { completionTokens: number };
    timings: { ttftMs: number; tokensPerSecond: number };
  };
}

/** What one ask did besides its timings: a re-run on the medium path or a shed memory tier is other work. */
export interface AskSample extends Sample {
  escalated: boolean;
  skipped: number;
}

/** Greedy, on the forced fast path: every ask of a round does the same work on either server. */
export function askInput(prompt: string, maxTokens: number) {
  return { input: { prompt, maxTokens, hint: 'FAST', temperature: 0 } };
}

/** One `ask` over HTTP, with the server-measured time to first token and decode rate. */
export async function decodeAsk(url: string, prompt: string, maxTokens: number): Promise<AskSample> {
  const { ask } = await gql<AskData>(url, ASK, askInput(prompt, maxTokens));
  return {
    ttftMs: ask.timings.ttftMs,
    tokensPerSecond: ask.timings.tokensPerSecond,
    completionTokens: ask.usage.completionTokens,
    escalated: ask.route.escalated,
    skipped: ask.memory.skipped.length,
  };
}

/** An ask (selecting route.escalated and memory.skipped) re-run on the medium path or that shed a memory tier. */
export function askDidOtherWork(data: unknown): boolean {
  const { ask } = data as AskData;
  return ask.route.escalated || ask.memory.skipped.length > 0;
}

export interface LoadResult {
  latenciesMs: number[];
  seconds: number;
  errors: number;
  /** Answers that did other work than asked (see otherWork). */
  flagged: number;
  firstError?: string;
  /** CPU the server used during the load, ms (set by the caller, which knows the process). */
  serverCpuMs?: number;
}

/** Server CPU ms per completed request over the given loads. */
export function cpuPerRequest(loads: LoadResult[]): number {
  const cpu = loads.reduce((a, r) => a + (r.serverCpuMs ?? 0), 0);
  const done = loads.reduce((a, r) => a + r.latenciesMs.length, 0);
  return done ? cpu / done : Number.NaN;
}

/**
 * `clients` closed-loop clients each send `query` back to back for `durationMs`; requests/s is what finished
 * over the wall time until the last one did. Errors are counted (and their latency left out), not thrown.
 */
export async function closedLoop(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  clients: number,
  durationMs: number,
  otherWork: (data: unknown) => boolean = () => false,
): Promise<LoadResult> {
  const result: LoadResult = { latenciesMs: [], seconds: 0, errors: 0, flagged: 0 };
  const start = performance.now();
  const deadline = start + durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const data = await gql(url, query, variables);
        result.latenciesMs.push(performance.now() - sent);
        if (otherWork(data)) result.flagged++;
      } catch (error) {
        result.errors++;
        result.firstError ??= (error as Error).message.slice(0, 300);
        await new Promise((r) => setTimeout(r, 100)); // not a hot loop of instant failures
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  result.seconds = (performance.now() - start) / 1000;
  return result;
}
