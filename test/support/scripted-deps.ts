import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { loadConfig } from '../../src/config/app-config.js';
import type { PathName } from '../../src/config/routing.config.js';
import type { Stage } from '../../src/config/stages.js';
import type {
  GenerateRequest,
  GenerationEvent,
  GenerationResult,
  PrefillRequest,
} from '../../src/engines/llm/llm-engine.js';
import type { AskDeps } from '../../src/modules/agent/ask/ask-state.js';
import type { PromptMemory } from '../../src/modules/memory/memory.types.js';
import type { Route } from '../../src/modules/routing/routing.service.js';

/** What the scripted engine does on its next generation: answer with these tokens, or throw before any. */
export type Turn =
  { tokens: string[]; finishReason?: 'stop' | 'length'; entropy?: number } | { error: Error };

export const config = loadConfig({ MNEME_LOG_LEVEL: 'error' });
export const ctx: CallContext = {
  tenant: 'alice',
  signal: new AbortController().signal,
  trace: ROOT_CONTEXT,
};

export function routeOn(path: PathName, escalateEntropy?: number, ensemble: string[] = []): Route {
  return {
    path,
    reason: `test: ${path}`,
    scores: { fast: 0, medium: 0, deep: 0 },
    profile: { ...config.routing.paths[path], ...(escalateEntropy !== undefined && { escalateEntropy }) },
    model: undefined,
    ensemble,
    steppedDown: false,
    escalated: false,
  };
}

export const emptyMemory = (over: Partial<PromptMemory> = {}): PromptMemory => ({
  turns: [],
  facts: [],
  episodes: [],
  degraded: [],
  ...over,
});

/**
 * The ask pipeline's collaborators, scripted: the engine answers turn by turn from `script` (a token costs its
 * length in characters, nothing else is free), routing admits on `path` and escalates when `medium` has room,
 * and every call is recorded for the test to read.
 */
export function scriptedDeps(options: {
  script: Turn[];
  path?: PathName;
  memory?: PromptMemory;
  mediumHasRoom?: boolean;
  breaching?: Stage[];
  /** The engine scores tokens, and the fast path escalates above this mean entropy. */
  escalateEntropy?: number;
  /** The served models of the route's ensemble. */
  ensemble?: string[];
}) {
  const calls = {
    requests: [] as GenerateRequest[],
    prefills: [] as PrefillRequest[],
    forPrompt: [] as { tiers: readonly string[]; budget: number }[],
    released: 0,
    escalations: 0,
    remembered: 0,
  };
  const script = [...options.script];
  const deps: AskDeps = {
    engine: {
      async *generate(request: GenerateRequest): AsyncIterable<GenerationEvent> {
        calls.requests.push(request);
        await Promise.resolve();
        const turn = script.shift();
        if (!turn) throw new Error('the script ran out');
        if ('error' in turn) throw turn.error;
        for (const text of turn.tokens) yield { type: 'token', text };
        const result = resultOf(turn.tokens, turn.finishReason ?? 'stop', request.model);
        if (turn.entropy !== undefined) result.scores = { tokens: [], meanEntropy: turn.entropy };
        yield { type: 'done', result };
      },
      prefill: (request: PrefillRequest) => {
        calls.prefills.push(request);
        return Promise.resolve();
      },
      countTokens: (text: string) => Promise.resolve(Math.ceil(text.length / 4)),
      models: () => [],
      acceptsImages: () => false,
      scoresTokens: () => options.escalateEntropy !== undefined,
    },
    memory: {
      conversation: () => {
        const { turns, summary } = options.memory ?? emptyMemory();
        return Promise.resolve({ turns, summary, tokens: 0, degraded: [] });
      },
      forPrompt: (_prompt, _session, budget, depth) => {
        calls.forPrompt.push({ tiers: depth.tiers, budget });
        return Promise.resolve(options.memory ?? emptyMemory());
      },
      rememberExchange: () => {
        calls.remembered++;
        return Promise.resolve({ ids: ['e1', 'e2'], warnings: [] });
      },
    },
    routing: {
      decide: () =>
        Promise.resolve(routeOn(options.path ?? 'fast', options.escalateEntropy, options.ensemble)),
      admit: (route) => Promise.resolve({ route, release: () => void calls.released++ }),
      escalate: (from, reasons) => {
        calls.escalations++;
        if (!options.mediumHasRoom) return Promise.resolve(undefined);
        const route = {
          ...routeOn('medium'),
          reason: `escalated from ${from.path}: ${reasons.join(', ')}`,
          escalated: true,
        };
        return Promise.resolve({ route, release: () => undefined });
      },
    },
    fusion: { fuse: () => Promise.reject(new Error('no media in these tests')) },
    config,
    slo: {
      shedOnFast: (stage: Stage) =>
        options.breaching?.includes(stage)
          ? {
              name: stage,
              unit: 'ms',
              target: 100,
              breached: true,
              p50: 300,
              p95: 400,
              p99: 500,
              count: 30,
              errors: 0,
              cancelled: 0,
              errorRate: 0,
            }
          : undefined,
    },
    rateLimits: { chargeTokens: () => Promise.resolve() },
  };
  return { deps, calls };
}

function resultOf(tokens: string[], finishReason: 'stop' | 'length', model = 'scripted'): GenerationResult {
  return {
    text: tokens.join(''),
    model,
    finishReason,
    usage: { promptTokens: 10, cachedPromptTokens: 0, completionTokens: tokens.length },
    timings: { queueMs: 0, ttftMs: 1, totalMs: 2, tokensPerSecond: 100 },
  };
}
