import { metrics, type MeterProvider } from '@opentelemetry/api';

// Counters for /metrics: the hit ratio is cached ÷ all prompt tokens; states saved and restored, and their cost.

interface Instruments {
  provider: MeterProvider;
  promptTokens: ReturnType<typeof create>['promptTokens'];
  stateEvents: ReturnType<typeof create>['stateEvents'];
  stateBytes: ReturnType<typeof create>['stateBytes'];
  stateMs: ReturnType<typeof create>['stateMs'];
}

let current: Instruments | undefined;

function create(provider: MeterProvider) {
  const meter = provider.getMeter('mneme');
  return {
    promptTokens: meter.createCounter('mneme.llm.prompt_cache.tokens', {
      description:
        'Prompt tokens by where their evaluation came from: cached (kept in a sequence), restored (from a ' +
        'saved state) or evaluated',
    }),
    stateEvents: meter.createCounter('mneme.llm.prompt_cache.states', {
      description: 'Sequence states saved to disk and restored from it',
    }),
    stateBytes: meter.createCounter('mneme.llm.prompt_cache.state_bytes', { unit: 'By' }),
    stateMs: meter.createHistogram('mneme.llm.prompt_cache.state.duration.milliseconds', { unit: 'ms' }),
  };
}

/** Created on first use, not at import: the SDK registers its meter provider after modules are loaded. */
function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider !== provider) current = { provider, ...create(provider) };
  return current;
}

export function recordPromptTokens(total: number, cached: number, restored: number): void {
  const { promptTokens } = instruments();
  promptTokens.add(cached - restored, { source: 'cached' });
  promptTokens.add(restored, { source: 'restored' });
  promptTokens.add(total - cached, { source: 'evaluated' });
}

export function recordStateEvent(event: 'saved' | 'restored', bytes: number, ms: number): void {
  const { stateEvents, stateBytes, stateMs } = instruments();
  stateEvents.add(1, { event });
  stateBytes.add(bytes, { event });
  stateMs.record(ms, { event });
}
