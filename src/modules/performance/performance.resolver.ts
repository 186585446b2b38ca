import { Query, Resolver, Subscription } from '@nestjs/graphql';
import { mapAsyncIterator } from '../../common/map-async-iterator.js';
import type { Alert, StageStatus } from '../../telemetry/slo/slo-tracker.js';
import { AlertBus } from './alert-bus.js';
import { enumValue } from '../../graphql/enum-value.js';
import { AlertGql, type AlertKindGql, PerformanceGql, StageGql } from './performance.model.js';
import { SloService } from './slo.service.js';

/** The operator's view of the SLOs: stage figures, alerts firing, and a stream of alerts as they change. */
@Resolver()
export class PerformanceResolver {
  constructor(
    private readonly slo: SloService,
    private readonly bus: AlertBus,
  ) {}

  @Query(() => PerformanceGql, {
    description: 'Each stage’s p50/p95/p99 over the window against its target.',
  })
  // Any authenticated caller (CallerGuard): latencies only, nobody's content.
  performance(): PerformanceGql {
    const { windowMs, minSamples } = this.slo.tracker.config;
    return {
      windowSeconds: Math.round(windowMs / 1000),
      minSamples,
      stages: this.slo.tracker.statuses().map(toStage),
      alerts: this.slo.tracker.firing().map(toAlert),
    };
  }

  @Subscription(() => AlertGql, {
    description:
      'SLO alerts: those firing when you subscribe, then each start and clear (p95 over its alert factor × ' +
      'target, error rate, queue depth).',
    resolve: (alert: AlertGql) => alert,
  })
  alerts(): AsyncIterator<AlertGql> {
    return mapAsyncIterator(this.bus.subscribe(this.slo.tracker.firing()), toAlert);
  }
}

function toStage(s: StageStatus): StageGql {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    name: s.name,
    unit: s.unit,
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    target: s.target ?? null,
    breached: s.breached,
    count: s.count,
    errorRate: round(s.errorRate),
    cancelled: s.cancelled,
  };
}

function toAlert(a: Alert): AlertGql {
  return { ...a, kind: enumValue<AlertKindGql>(a.kind), at: new Date(a.at) };
}
