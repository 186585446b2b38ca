import { z } from 'zod';
import { commaList } from './comma-list.js';
import type { Env } from './env.schema.js';
import {
  STAGES,
  isStage,
  unitOf,
  unknownStagesProblem,
  unsheddableStagesProblem,
  type Stage,
} from './stages.js';

export interface SloConfig {
  /** P95 targets per stage, ms (ms per second of audio for audio stages). */
  targets: ReadonlyMap<Stage, number>;
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
  shedOnFast: ReadonlySet<Stage>;
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

type StageTargets = Partial<Record<Stage, number>>;

/** The issue's targets; paths are P95 of a whole ask, ttft the time to its first token. */
export const DEFAULT_TARGETS: Readonly<StageTargets> = {
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

/** The default targets in words, for the docs: `encode.image 200, encode.audio 100 ms/s, …`. */
export function defaultTargetsText(): string {
  return STAGES.flatMap((stage) => {
    const target = DEFAULT_TARGETS[stage];
    if (target === undefined) return [];
    const unit = unitOf(stage) === 'ms' ? '' : ` ${unitOf(stage)}`;
    return [`${stage} ${target}${unit}`];
  }).join(', ');
}

/** The stages without a default target, for the docs. */
export function untargetedStages(): Stage[] {
  return STAGES.filter((stage) => DEFAULT_TARGETS[stage] === undefined);
}

const TARGET = /^([a-z][a-z0-9_.]*)=(\d+(?:\.\d+)?)$/;

function parseTarget(entry: string): { name: string; ms: number } | undefined {
  const match = TARGET.exec(entry);
  const ms = Number(match?.[2]);
  return match && ms > 0 ? { name: match[1]!, ms } : undefined;
}

/** "stage=ms,stage=ms" over the defaults; every stage must be one of STAGES. */
export const sloTargetsSchema = commaList().transform((entries, ctx) => {
  const targets: StageTargets = {};
  const unknown: string[] = [];
  for (const entry of entries) {
    const target = parseTarget(entry);
    if (!target) {
      ctx.addIssue({
        code: 'custom',
        message: `"${entry}" is not stage=milliseconds (e.g. memory.semantic=150)`,
      });
      return z.NEVER;
    }
    if (isStage(target.name)) targets[target.name] = target.ms;
    else unknown.push(target.name);
  }
  const problem = unknownStagesProblem(unknown);
  if (problem === undefined) return targets;
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

/** Stages the fast path skips while they breach: known stages, and only those it can answer without. */
export const shedStagesSchema = commaList().transform((names, ctx) => {
  const problem = unknownStagesProblem(names) ?? unsheddableStagesProblem(names);
  if (problem === undefined) return names.filter(isStage);
  ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

function targetsOver(
  defaults: Readonly<StageTargets>,
  overrides: Readonly<StageTargets> = {},
): Map<Stage, number> {
  const targets = new Map<Stage, number>();
  for (const stage of STAGES) {
    const target = overrides[stage] ?? defaults[stage];
    if (target !== undefined) targets.set(stage, target);
  }
  return targets;
}

export function telemetryConfigFrom(e: Env): TelemetryConfig {
  return {
    serviceName: e.OTEL_SERVICE_NAME,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricExportIntervalMs: e.OTEL_METRIC_EXPORT_INTERVAL,
    enabled: e.MNEME_TELEMETRY,
    metrics: e.MNEME_TELEMETRY && e.MNEME_METRICS,
    slo: {
      targets: targetsOver(DEFAULT_TARGETS, e.MNEME_SLO_TARGETS),
      windowMs: e.MNEME_SLO_WINDOW_SECONDS * 1000,
      minSamples: e.MNEME_SLO_MIN_SAMPLES,
      alertFactor: e.MNEME_SLO_ALERT_FACTOR,
      alertErrorRate: e.MNEME_SLO_ALERT_ERROR_RATE,
      alertQueueDepth: e.MNEME_SLO_ALERT_QUEUE_DEPTH ?? Math.max(1, e.MNEME_LLM_QUEUE_LIMIT),
      checkMs: e.MNEME_SLO_CHECK_MS,
      shedOnFast: new Set(e.MNEME_SLO_SHED_FAST),
    },
  };
}
