import type { CallContext } from '../../src/common/call-context.js';
import {
  LlmEngine,
  type CacheScope,
  type EngineStats,
  type GenerateRequest,
  type GenerationEvent,
  type GenerationResult,
  type ModelInfo,
} from '../../src/engines/llm/llm-engine.js';
import { MemoryEventBus, type MemoryEvent } from '../../src/modules/memory/memory-events.js';
import { percentile } from '../llm/stats.js';
import { rng } from '../memory/synth-episodes.js';

// Helpers of bench/semantic/extraction.ts: realistic user turns, and taps on the engine and event bus that the
// consolidation worker is handed, so the bench times its real path without touching src.

// prettier-ignore
const NAMES = [
  'Ada', 'Priya', 'Tomás', 'Mei', 'Jonas', 'Fatima', 'Liam', 'Sofia', 'Kenji', 'Amara', 'Noah', 'Elena',
  'Ravi', 'Chloe', 'Mateo', 'Ingrid', 'Yusuf', 'Hana', 'Oscar', 'Lucía', 'Dmitri', 'Zara', 'Felix', 'Aiko',
];
const RELATIONS = ['sister', 'brother', 'manager', 'neighbour', 'cousin', 'colleague', 'dentist', 'landlord'];
// prettier-ignore
const CITIES = [
  'Lisbon', 'Osaka', 'Toronto', 'Nairobi', 'Berlin', 'Melbourne', 'Bogotá', 'Edinburgh', 'Seoul', 'Lyon',
  'Austin', 'Kraków', 'Porto', 'Chennai', 'Oslo', 'Valparaíso',
];
// prettier-ignore
const ORGS = [
  'Siemens', 'the city library', 'Northwind Labs', 'St. Mary’s Hospital', 'a small bakery', 'Spotify',
  'the University of Leeds', 'Acme Logistics', 'the Red Cross', 'a law firm downtown',
];
const THINGS = ['a red Vespa', 'a golden retriever called Biscuit', 'a sailboat', 'an old Leica camera'];
const MONTHS = ['January', 'March', 'April', 'June', 'August', 'September', 'October', 'December'];
const TEMPLATES: ((p: Pick) => string)[] = [
  (p) => `My ${p.rel()} ${p.name()} moved to ${p.city()} in ${p.month()} ${p.year()}.`,
  (p) => `I started working at ${p.org()} on ${p.month()} ${p.day()}.`,
  (p) => `${p.name()} is getting married to ${p.name()} in ${p.city()} next ${p.month()}.`,
  (p) => `Remind me that ${p.name()}'s birthday is ${p.month()} ${p.day()}; they love hiking.`,
  (p) => `We spent a week in ${p.city()} with ${p.name()} and ${p.name()} back in ${p.year()}.`,
  (p) => `${p.name()} just joined ${p.org()} as a data engineer, based in ${p.city()}.`,
  (p) => `I bought ${p.thing()} from my ${p.rel()} ${p.name()} last ${p.month()}.`,
  (p) => `My flight to ${p.city()} is on ${p.month()} ${p.day()}, ${p.name()} will pick me up.`,
  (p) => `${p.name()} used to live in ${p.city()} but now rents a flat in ${p.city()}.`,
  (p) => `Our team lead ${p.name()} left ${p.org()} in ${p.year()} to found a startup.`,
  (p) => `I'm allergic to peanuts, and so is my ${p.rel()} ${p.name()}.`,
  (p) => `${p.name()} owns ${p.thing()} and keeps it at a friend's place in ${p.city()}.`,
];

interface Pick {
  name(): string;
  rel(): string;
  city(): string;
  org(): string;
  thing(): string;
  month(): string;
  day(): number;
  year(): number;
}

/** `count` varied user turns (templates in rotation, slots drawn from a seeded generator: same corpus each run). */
export function syntheticTurns(count: number, seed = 11): string[] {
  const next = rng(seed);
  const one = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  const pick: Pick = {
    name: () => one(NAMES),
    rel: () => one(RELATIONS),
    city: () => one(CITIES),
    org: () => one(ORGS),
    thing: () => one(THINGS),
    month: () => one(MONTHS),
    day: () => 1 + Math.floor(next() * 28),
    year: () => 2015 + Math.floor(next() * 10),
  };
  return Array.from({ length: count }, (_, i) => TEMPLATES[i % TEMPLATES.length]!(pick));
}

export interface Generation {
  text: string;
  grammar: boolean;
  maxTokens: number | undefined;
  result: GenerationResult;
}

/** Delegates to the real engine and keeps every finished generation's request and result. */
export class RecordingEngine extends LlmEngine {
  readonly generations: Generation[] = [];
  /** performance.now() when the latest generation was asked for: the start of the episode being extracted. */
  lastStart = 0;

  constructor(private readonly inner: LlmEngine) {
    super();
  }

  async *generate(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    this.lastStart = performance.now();
    for await (const event of this.inner.generate(request, ctx)) {
      if (event.type === 'done') {
        this.generations.push({
          text: request.messages.at(-1)?.content ?? '',
          grammar: request.jsonSchema !== undefined,
          maxTokens: request.maxTokens,
          result: event.result,
        });
      }
      yield event;
    }
  }

  load(): Promise<void> {
    return this.inner.load();
  }
  drain(graceMs: number): Promise<void> {
    return this.inner.drain(graceMs);
  }
  unload(): Promise<void> {
    return this.inner.unload();
  }
  models(): ModelInfo[] {
    return this.inner.models();
  }
  stats(): EngineStats {
    return this.inner.stats();
  }
  countTokens(text: string): Promise<number> {
    return this.inner.countTokens(text);
  }
  acceptsImages(): boolean {
    return this.inner.acceptsImages();
  }
  forgetCached(scope: CacheScope): Promise<number> {
    return this.inner.forgetCached(scope);
  }
}

/** Calls `onConsolidated` as each episode is marked done (the worker publishes only after marking). */
export class TappedEventBus extends MemoryEventBus {
  constructor(private readonly onConsolidated: (facts: number) => void) {
    super();
  }

  override publish(tenant: string, event: MemoryEvent): void {
    if (event.kind === 'episode-consolidated') this.onConsolidated(event.facts);
    super.publish(tenant, event);
  }
}

export interface Outcome {
  loopMs: number;
  /** The worker's extractions (warm-up excluded). */
  grammarRuns: Generation[];
  /** Grammar-free reruns of some of them, each paired with its grammar run. */
  pairs: { grammar: Generation; raw: Generation }[];
  latencies: number[];
  factsPerEpisode: number[];
  consolidated: number;
  failures: number;
  failed: number;
  facts: number;
  entities: number;
}

/** Prints the results table. */
export function report(o: Outcome): void {
  const results = o.grammarRuns.map((g) => g.result);
  const cap = o.grammarRuns[0]?.maxTokens; // as the service asks for it
  const tokens = results.map((r) => r.usage.completionTokens);
  const genMs = results.map((r) => r.timings.totalMs);
  const total = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const dist = (values: number[], digits = 0, low = 95) =>
    `p50 ${percentile(values, 50).toFixed(digits)}  p${low} ${percentile(values, low).toFixed(digits)}`;
  const rate = (g: Generation) => g.result.timings.tokensPerSecond;
  const freeRates = o.pairs.map((pair) => rate(pair.raw));
  const grammarRates = o.pairs.map((pair) => rate(pair.grammar));
  const ratios = o.pairs.map((pair) => rate(pair.raw) / rate(pair.grammar));
  const lengths = o.pairs.map(
    (pair) => `${pair.raw.result.usage.completionTokens}/${pair.grammar.result.usage.completionTokens}`,
  );
  const row = (name: string, value: string) => console.log(`${name.padEnd(46)} ${value}`);
  const perSecond = (o.consolidated * 1000) / o.loopMs;
  console.log('');
  row(
    'episodes consolidated / s',
    `${perSecond.toFixed(3)} (${o.consolidated} in ${(o.loopMs / 1000).toFixed(1)} s)`,
  );
  row('per-episode latency ms (LLM + learn + mark)', dist(o.latencies));
  // Paired in order: one generation per episode while nothing failed.
  if (o.latencies.length === genMs.length)
    row('  of which learn + mark ms', dist(o.latencies.map((ms, i) => ms - genMs[i]!)));
  row('extraction generation ms', dist(genMs));
  row('  of which to first token (prompt eval) ms', dist(results.map((r) => r.timings.ttftMs)));
  row('prompt tokens / extraction', dist(results.map((r) => r.usage.promptTokens)));
  const atCap = results.filter((r) => r.finishReason === 'length').length;
  row(
    'generated tokens / extraction',
    `${dist(tokens)}  max ${Math.max(...tokens)}; ${atCap} hit the ${cap} cap`,
  );
  row('grammar decode tok/s (per extraction)', dist(o.grammarRuns.map(rate), 2, 5));
  row('grammar tok/s incl. prompt eval (Σtok ÷ Σms)', ((total(tokens) * 1000) / total(genMs)).toFixed(2));
  row(`rerun of ${o.pairs.length}: grammar decode tok/s`, dist(grammarRates, 2, 5));
  row(
    `rerun of ${o.pairs.length}: grammar-free decode tok/s`,
    `${dist(freeRates, 2, 5)}  (tokens ${lengths.join(' ')})`,
  );
  const range = `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}`;
  row(
    'grammar overhead (free ÷ grammar decode rate)',
    `p50 ${percentile(ratios, 50).toFixed(2)}×  range ${range}×`,
  );
  const maxFacts = Math.max(0, ...o.factsPerEpisode);
  row(
    'facts / entities stored',
    `${o.facts} / ${o.entities} (per episode ${dist(o.factsPerEpisode)}  max ${maxFacts})`,
  );
  row('failures (attempts) / episodes marked FAILED', `${o.failures} / ${o.failed}`);
}
