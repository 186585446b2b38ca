import { z } from 'zod';
import type { Env } from './env.schema.js';

export interface SloConfig {
  /** P95 targets per stage, ms (ms per second of audio for audio stages). */
  targets: Map<string, number>;
  windowMs: number;
  /** Observations a window needs before its p95 can breach or alert (a handful of samples is noise). */
  minSamples: number;
  /** Alert when a stage's p95 exceeds this many times its target… */
  alertFactor: number;
  /** …or its error rate exceeds this, over the window. */
  alertErrorRate: number;
  /** Alert when this many generations wait for an engine slot. */
  alertQueueDepth: number;
  /** How often breaches and alerts are evaluated. */
  checkMs: number;
  /** Stages the fast path skips while they breach (memory tiers). */
  shedOnFast: Set<string>;
}

export interface TelemetryConfig {
  serviceName: string;
  otlpEndpoint: string | undefined;
  /** How often metrics are pushed to the OTLP endpoint. */
  metricExportIntervalMs: number;
  /** Off: no spans leave the process, no SLO tracking, no /metrics (for measuring telemetry's own cost). */
  enabled: boolean;
  /** Serve Prometheus text at /metrics. */
  metrics: boolean;
  slo: SloConfig;
}

/** The issue's targets; paths are P95 of a whole ask, ttft the time to its first token. */
export const DEFAULT_TARGETS: Readonly<Record<string, number>> = {
  'encode.image': 200,
  'encode.images': 500,
  'encode.audio': 100,
  'transcribe.audio': 200,
  'perceive.audio': 300,
  'fusion.project.image': 50,
  'fusion.project.audio': 50,
  'fusion.align': 100,
  'memory.working': 100,
  'memory.episodic': 500,
  'memory.semantic': 200,
  'route.decide': 50,
  'ask.fast': 500,
  'ask.medium': 2000,
  'ask.deep': 10000,
  'ttft.fast': 250,
  'ttft.medium': 800,
  'ttft.deep': 2000,
};

/** "stage=ms,stage=ms" over the defaults; a stage may be any name the tracker reports. */
export const sloTargetsSchema = z.string().transform((spec, ctx) => {
  const targets: Record<string, number> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([a-z][a-z0-9_.]*)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!match || Number(match[2]) <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `"${part}" is not stage=milliseconds (e.g. memory.semantic=150)`,
      });
      return z.NEVER;
    }
    targets[match[1]!] = Number(match[2]);
  }
  return targets;
});

export function telemetryConfigFrom(e: Env): TelemetryConfig {
  return {
    serviceName: e.OTEL_SERVICE_NAME,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricExportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL,
    enabled: e.MNEME_TELEMETRY,
    metrics: e.MNEME_TELEMETRY && e.MNEME_METRICS,
    slo: {
      targets: new Map(Object.entries({ ...DEFAULT_TARGETS, ...e.MNEME_SLO_TARGETS })),
      windowMs: e.MNEME_SLO_WINDOW_SECONDS * 1000,
      minSamples: e.MNEME_SLO_MIN_SAMPLES,
      alertFactor: e.MNEME_SLO_ALERT_FACTOR,
      alertErrorRate: e.MNEME_SLO_ALERT_ERROR_RATE,
      alertQueueDepth: e.MNEME_SLO_ALERT_QUEUE_DEPTH ?? Math.max(1, e.MNEME_LLM_QUEUE_LIMIT),
      checkMs: e.MNEME_SLO_CHECK_MS,
      shedOnFast: new Set(
        e.MNEME_SLO_SHED_FAST.split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      ),
    },
  };
}
