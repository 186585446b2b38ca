/**
 * Every stage whose latency the server measures against a target: the one vocabulary of MNEME_SLO_TARGETS,
 * MNEME_SLO_SHED_FAST, the stage samples taken from spans, `query performance` and /metrics.
 */
export const STAGES = [
  'encode.image',
  'encode.images',
  'encode.audio',
  'transcribe.audio',
  'perceive.audio',
  'fusion.project.image',
  'fusion.project.audio',
  'fusion.align',
  'fusion.answer',
  'memory.working',
  'memory.episodic',
  'memory.semantic',
  'route.decide',
  'llm.generate',
  'ask.fast',
  'ask.medium',
  'ask.deep',
  // An ask that failed before a path was chosen (a prompt no context could hold, a routing failure).
  'ask.unrouted',
  'ttft.fast',
  'ttft.medium',
  'ttft.deep',
  'consolidation.extract',
  'consolidation.summarize',
] as const;

export type Stage = (typeof STAGES)[number];

const KNOWN_STAGES: ReadonlySet<string> = new Set(STAGES);

export function isStage(name: string): name is Stage {
  return KNOWN_STAGES.has(name);
}

/** Stages whose cost grows with the audio: their value and target are milliseconds per second of audio. */
export const PER_AUDIO_SECOND: ReadonlySet<string> = new Set<Stage>([
  'encode.audio',
  'transcribe.audio',
  'perceive.audio',
]);

/** The stages the fast path can skip while they breach: the memory tiers it can answer without. */
export const SHEDDABLE_STAGES = [
  'memory.working',
  'memory.episodic',
  'memory.semantic',
] as const satisfies readonly Stage[];

export type StageUnit = 'ms' | 'ms/s';

export function unitOf(stage: Stage): StageUnit {
  return PER_AUDIO_SECOND.has(stage) ? 'ms/s' : 'ms';
}

/** The problem with names that are not stages, listing the known ones; undefined when every name is one. */
export function unknownStagesProblem(names: readonly string[]): string | undefined {
  const unknown = names.filter((name) => !isStage(name));
  if (unknown.length === 0) return undefined;
  const stages = unknown.length > 1 ? 'stages' : 'stage';
  return `unknown ${stages} ${quoted(unknown)}; the stages are ${STAGES.join(', ')}`;
}

const SHEDDABLE: ReadonlySet<string> = new Set(SHEDDABLE_STAGES);

/** The problem with names the fast path cannot skip; undefined when it can skip every one. */
export function unsheddableStagesProblem(names: readonly string[]): string | undefined {
  const unsheddable = names.filter((name) => !SHEDDABLE.has(name));
  if (unsheddable.length === 0) return undefined;
  return `${quoted(unsheddable)} cannot be skipped; the fast path skips only ${SHEDDABLE_STAGES.join(', ')}`;
}

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');
