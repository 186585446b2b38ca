import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { metrics, type BatchObservableCallback, type Histogram, type Observable } from '@opentelemetry/api';
import type { EngineStats } from '../../engines/llm/llm-engine.js';
import type { CatalogEntry } from '../../common/model-catalog.js';
import type { StageSample } from '../../telemetry/slo/stage-samples.js';
import type { StageStatus } from '../../telemetry/slo/slo-tracker.js';
import type { MemorySizes } from '../memory/memory.service.js';

/** What the gauges read at each collection (a scrape of /metrics, an OTLP export). */
export interface GaugeSources {
  stages: () => StageStatus[];
  engine: () => EngineStats;
  models: () => CatalogEntry[];
  memory: () => Promise<MemorySizes>;
}

// ms buckets from a sub-millisecond memory read to a long deep-path answer.
const BUCKETS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000];

/**
 * Mneme's OpenTelemetry instruments (exported as Prometheus text at /metrics and over OTLP when configured):
 * stage latency histograms from the same spans the SLO tracker reads, and gauges for each stage's window p95,
 * target and breach, engine queue depth, loaded models, memory sizes per tier and event-loop delay.
 */
export class StageMeters {
  private readonly meter = metrics.getMeter('mneme');
  private readonly duration: Histogram;
  private readonly observables: Observable[];
  private readonly callback: BatchObservableCallback;
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor(sources: GaugeSources) {
    this.duration = this.meter.createHistogram('mneme.stage.duration.milliseconds', {
      description: 'Latency of each stage (ms; ms per second of audio for audio stages).',
      unit: 'ms',
      advice: { explicitBucketBoundaries: BUCKETS },
    });
    const p95 = this.meter.createObservableGauge('mneme.stage.p95.milliseconds', {
      description: 'Stage p95 over the SLO window.',
      unit: 'ms',
    });
    const target = this.meter.createObservableGauge('mneme.stage.target.milliseconds', { unit: 'ms' });
    const breached = this.meter.createObservableGauge('mneme.stage.breached', {
      description: '1 while the stage p95 is over its target.',
    });
    const queue = this.meter.createObservableGauge('mneme.llm.queue.depth', {
      description: 'Generations running (active) and waiting for a slot (queued).',
    });
    const models = this.meter.createObservableGauge('mneme.models.loaded', {
      description: 'Models ready to serve, per kind.',
    });
    const items = this.meter.createObservableGauge('mneme.memory.items', {
      description: 'Items held per memory tier, all tenants (episodes; entities and facts).',
    });
    const pending = this.meter.createObservableGauge('mneme.consolidation.pending_summaries', {
      description: 'Sessions waiting to be looked at for a summary.',
    });
    const loopDelay = this.meter.createObservableGauge('mneme.eventloop.delay.p99.milliseconds', {
      description: 'Event-loop delay p99 since the previous collection.',
      unit: 'ms',
    });
    this.loop.enable();
    this.observables = [p95, target, breached, queue, models, items, pending, loopDelay];
    this.callback = async (result) => {
      for (const s of sources.stages()) {
        result.observe(p95, s.p95, { stage: s.name });
        result.observe(breached, s.breached ? 1 : 0, { stage: s.name });
        if (s.target !== undefined) result.observe(target, s.target, { stage: s.name });
      }
      const engine = sources.engine();
      result.observe(queue, engine.active, { state: 'active' });
      result.observe(queue, engine.queued, { state: 'queued' });
      const ready = new Map<string, number>();
      for (const m of sources.models())
        ready.set(m.kind, (ready.get(m.kind) ?? 0) + (m.state === 'ready' ? 1 : 0));
      for (const [kind, n] of ready) result.observe(models, n, { kind });
      result.observe(loopDelay, this.loop.percentile(99) / 1e6);
      this.loop.reset();
      const sizes = await sources.memory();
      result.observe(pending, sizes.sessionsToSummarize);
      if (sizes.episodes !== undefined)
        result.observe(items, sizes.episodes, { tier: 'episodic', kind: 'episodes' });
      if (sizes.entities !== undefined)
        result.observe(items, sizes.entities, { tier: 'semantic', kind: 'entities' });
      if (sizes.facts !== undefined) result.observe(items, sizes.facts, { tier: 'semantic', kind: 'facts' });
    };
    this.meter.addBatchObservableCallback(this.callback, this.observables);
  }

  record(samples: readonly StageSample[]): void {
    for (const s of samples) {
      if (Number.isFinite(s.value)) this.duration.record(s.value, { stage: s.stage, outcome: outcomeOf(s) });
    }
  }

  close(): void {
    this.meter.removeBatchObservableCallback(this.callback, this.observables);
    this.loop.disable();
  }
}

function outcomeOf(sample: StageSample): 'ok' | 'error' | 'cancelled' {
  if (sample.cancelled) return 'cancelled';
  return sample.failed ? 'error' : 'ok';
}
