import { PER_AUDIO_SECOND, isStage, type Stage } from '../../config/stages.js';

/** What a finished span tells the SLO tracker: plain data, so classification is testable without an SDK. */
export interface EndedSpan {
  name: string;
  durationMs: number;
  failed: boolean;
  /** The caller left before it finished (client disconnect, unsubscribe). */
  cancelled?: boolean;
  attributes: Readonly<Record<string, unknown>>;
}

/** One latency observation of a stage; `perSecond` stages are measured per second of audio (ms/s). */
export interface StageSample {
  stage: Stage;
  value: number;
  failed: boolean;
  /** Counted apart: a client that leaves says nothing about the stage's latency or health. */
  cancelled?: boolean;
}

// Spans named after their stage, one to one.
const PASS_THROUGH: ReadonlySet<string> = new Set<Stage>([
  'fusion.align',
  'fusion.answer',
  'route.decide',
  'memory.working',
  'memory.episodic',
  'memory.semantic',
  'consolidation.extract',
  'consolidation.summarize',
]);

/**
 * The stage samples of a span: a stage per span kind, split where one name covers different work (a batch of
 * images, a projection per modality, an ask per compute path, whose time to first token is a stage of its own).
 * Spans that are not a stage (HTTP requests, internals) give none.
 */
export function stageSamples(span: EndedSpan): StageSample[] {
  const { name, durationMs, failed, attributes: a } = span;
  // Request spans ("POST /graphql", "graphql query me") are the most frequent and never a stage.
  if (name.includes(' ') && a['gen_ai.operation.name'] === undefined) return [];
  if (span.cancelled) return cancelledSamples(span);
  const text = (key: string, fallback: string) => (typeof a[key] === 'string' ? a[key] : fallback);
  // A name outside the vocabulary (an attribute no stage knows) is no stage.
  const sample = (stage: string, value = durationMs): StageSample[] =>
    isStage(stage) ? [{ stage, value, failed }] : [];
  if (PASS_THROUGH.has(name)) return sample(name);
  if (name === 'encode.image') return sample(Number(a['mneme.batch.size'] ?? 1) > 1 ? 'encode.images' : name);
  if (PER_AUDIO_SECOND.has(name)) {
    const seconds = Number(a['mneme.audio.seconds']);
    // A clip that failed before it was decoded has no length: it counts as an error, not as a latency.
    if (!(seconds > 0)) return failed ? sample(name, Number.NaN) : [];
    return sample(name, durationMs / Math.max(seconds, 0.1));
  }
  if (name === 'fusion.project') return sample(`fusion.project.${text('mneme.modality', 'unknown')}`);
  if (a['gen_ai.operation.name'] !== undefined) return sample('llm.generate');
  if (name === 'ask') {
    const path = text('mneme.route.path', 'unrouted');
    const ttft = Number(a['mneme.llm.ttft_ms']);
    return [...sample(`ask.${path}`), ...(Number.isFinite(ttft) ? sample(`ttft.${path}`, ttft) : [])];
  }
  return [];
}

/** The stages a cancelled span would have sampled, each marked cancelled with no latency. */
function cancelledSamples(span: EndedSpan): StageSample[] {
  const stages = stageSamples({ ...span, cancelled: false, failed: false, attributes: withLength(span) });
  return stages.map((s) => ({ stage: s.stage, value: Number.NaN, failed: false, cancelled: true }));
}

// An audio stage cancelled before decoding has no length yet; a nominal one keeps its stage name.
function withLength(span: EndedSpan): Readonly<Record<string, unknown>> {
  return PER_AUDIO_SECOND.has(span.name) ? { 'mneme.audio.seconds': 1, ...span.attributes } : span.attributes;
}
