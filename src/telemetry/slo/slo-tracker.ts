import { unitOf, type Stage, type StageUnit } from '../../config/stages.js';
import type { SloConfig } from '../../config/telemetry.config.js';
import { SlidingHistogram, type WindowStats } from './sliding-histogram.js';
import { stageSamples, type EndedSpan, type StageSample } from './stage-samples.js';

export interface StageStatus extends WindowStats {
  name: Stage;
  /** ms, or ms per second of audio. */
  unit: StageUnit;
  target: number | undefined;
  /** p95 over the target, with enough samples in the window to say so. */
  breached: boolean;
  errorRate: number;
}

export type AlertKind = 'latency' | 'errors' | 'queue';

export interface Alert {
  kind: AlertKind;
  subject: string;
  /** True when it starts, false when it clears. */
  firing: boolean;
  at: number;
  message: string;
  value: number;
  threshold: number;
}

/**
 * Per-stage latency over a sliding window, from finished spans, against the configured targets: what
 * `performance`, `/metrics`, alerts and the fast path's shedding read. Time is injected, so tests drive it.
 */
export class SloTracker {
  private readonly stages = new Map<Stage, SlidingHistogram>();
  private readonly active = new Map<string, Alert>();
  private cache: { at: number; statuses: ReadonlyMap<Stage, StageStatus> } | undefined;

  constructor(
    readonly config: SloConfig,
    private readonly now: () => number = Date.now,
  ) {}

  observe(span: EndedSpan): void {
    this.record(stageSamples(span));
  }

  /** Samples already taken from a span (the caller shares them with the metric instruments). */
  record(samples: readonly StageSample[]): void {
    for (const sample of samples) {
      let histogram = this.stages.get(sample.stage);
      if (!histogram) this.stages.set(sample.stage, (histogram = new SlidingHistogram(this.config.windowMs)));
      if (sample.cancelled) histogram.recordCancelled(this.now());
      else histogram.record(sample.value, sample.failed, this.now());
    }
  }

  /** Every stage that ran within the window, by name. */
  statuses(): StageStatus[] {
    const now = this.now();
    const out: StageStatus[] = [];
    for (const [name, histogram] of this.stages) {
      const stats = histogram.stats(now);
      if (stats.count === 0 && stats.cancelled === 0) continue;
      const target = this.config.targets.get(name);
      out.push({
        ...stats,
        name,
        unit: unitOf(name),
        target,
        breached: target !== undefined && stats.count >= this.config.minSamples && stats.p95 > target,
        errorRate: stats.count ? stats.errors / stats.count : 0,
      });
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether a stage breaches now. Cached for a second, as every fast-path ask asks. */
  breached(stage: Stage): StageStatus | undefined {
    const now = this.now();
    if (!this.cache || now - this.cache.at >= 1000)
      this.cache = { at: now, statuses: new Map(this.statuses().map((s) => [s.name, s])) };
    const status = this.cache.statuses.get(stage);
    return status?.breached ? status : undefined;
  }

  /**
   * Alerts that started or cleared since the last call: p95 over `alertFactor` × target, error rate over
   * `alertErrorRate` (both with enough samples), and `queueDepth` generations waiting at or over the bound.
   */
  evaluate(queueDepth: number): Alert[] {
    const { alertFactor, alertErrorRate, alertQueueDepth, minSamples } = this.config;
    const at = this.now();
    const now = new Map<string, Omit<Alert, 'firing' | 'at'>>();
    for (const s of this.statuses()) {
      if (s.count < minSamples) continue;
      if (s.target !== undefined && s.p95 > alertFactor * s.target)
        now.set(`latency:${s.name}`, {
          kind: 'latency',
          subject: s.name,
          value: s.p95,
          threshold: alertFactor * s.target,
          message: `${s.name} p95 ${round(s.p95)} ${s.unit} is over ${alertFactor}× its ${s.target} ${s.unit} target`,
        });
      if (s.errorRate > alertErrorRate)
        now.set(`errors:${s.name}`, {
          kind: 'errors',
          subject: s.name,
          value: s.errorRate,
          threshold: alertErrorRate,
          message: `${s.name} failed ${round(s.errorRate * 100)}% of ${s.count} calls in the window (over ${round(alertErrorRate * 100)}%)`,
        });
    }
    if (queueDepth >= alertQueueDepth)
      now.set('queue:llm', {
        kind: 'queue',
        subject: 'llm',
        value: queueDepth,
        threshold: alertQueueDepth,
        message: `${queueDepth} generations are waiting for an engine slot (alert at ${alertQueueDepth})`,
      });
    const changes: Alert[] = [];
    for (const [key, alert] of now) {
      if (this.active.has(key)) continue;
      const started = { ...alert, firing: true, at };
      this.active.set(key, started);
      changes.push(started);
    }
    for (const [key, alert] of this.active) {
      if (now.has(key)) continue;
      this.active.delete(key);
      changes.push({ ...alert, firing: false, at, message: `cleared: ${alert.message}` });
    }
    return changes;
  }

  /** Alerts firing now. */
  firing(): Alert[] {
    return [...this.active.values()];
  }
}

const round = (n: number) => Math.round(n * 10) / 10;
