import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import type { Stage } from '../../config/stages.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { spanFanout } from '../../telemetry/otel-sdk.js';
import { SloTracker, type Alert, type StageStatus } from '../../telemetry/slo/slo-tracker.js';
import { stageSamples } from '../../telemetry/slo/stage-samples.js';
import { MemoryService } from '../memory/memory.service.js';
import { AlertBus } from './alert-bus.js';
import { StageMeters } from './stage-meters.js';

/**
 * Telemetry that enforces: every finished span feeds the SLO tracker and the stage histograms; every
 * MNEME_SLO_CHECK_MS the tracker's breaches become alerts (started and cleared), and the fast path asks which
 * tiers to skip while they breach.
 */
@Injectable()
export class SloService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Slo');
  readonly tracker: SloTracker;
  private meters: StageMeters | undefined;
  private stopListening: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly engine: LlmEngine,
    private readonly catalog: ModelCatalog,
    private readonly memory: MemoryService,
    private readonly alerts: AlertBus,
  ) {
    this.tracker = new SloTracker(config.telemetry.slo);
  }

  onModuleInit(): void {
    const { enabled, metrics, slo } = this.config.telemetry;
    if (!enabled) return;
    if (metrics) {
      this.meters = new StageMeters({
        stages: () => this.tracker.statuses(),
        engine: () => this.engine.stats(),
        models: () => this.catalog.list(),
        memory: () => this.memory.sizes(),
      });
    }
    this.stopListening = spanFanout.listen((span) => {
      const samples = stageSamples(span);
      if (samples.length === 0) return; // most spans (HTTP requests, internals) are no stage
      this.tracker.record(samples);
      this.meters?.record(samples);
    });
    this.timer = setInterval(() => this.check(), slo.checkMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.stopListening?.();
    this.meters?.close();
  }

  /** Evaluates alerts now; publishes and logs what started or cleared. */
  check(): Alert[] {
    const changes = this.tracker.evaluate(this.engine.stats().queued);
    for (const alert of changes) {
      this.alerts.publish(alert);
      if (alert.firing) this.logger.warn(`SLO alert: ${alert.message}`);
      else this.logger.log(`SLO alert ${alert.message}`);
    }
    return changes;
  }

  /** The stage's status when the fast path should skip it now: configured to shed, and breaching. */
  shedOnFast(stage: Stage): StageStatus | undefined {
    return this.config.telemetry.slo.shedOnFast.has(stage) ? this.tracker.breached(stage) : undefined;
  }
}
