import type { RankedLabel } from '../../common/zero-shot.js';
import { enumValue } from '../../graphql/enum-value.js';
import {
  AlignmentSpace,
  Perception,
  type QuestionKindGql,
  VisualAnswerMethod,
} from './models/perception.model.js';
import type { Percept } from './percept.js';

/** The best score each label reached over all images, best first. */
function mergedLabels(percept: Percept): RankedLabel[] {
  const best = new Map<string, number>();
  for (const image of percept.images) {
    for (const { label, score } of image.labels) best.set(label, Math.max(score, best.get(label) ?? 0));
  }
  return [...best].map(([label, score]) => ({ label, score })).sort((a, b) => b.score - a.score);
}

export function toPerception(percept: Percept): Perception {
  const answer = percept.visualAnswer;
  return {
    images: percept.images.map((image) => ({
      labels: image.labels.map((l) => ({ ...l })),
      usable: image.usable,
    })),
    imageLabels: mergedLabels(percept).slice(0, 5),
    transcript: percept.transcript ?? null,
    audioLabels: percept.audioEvents.map((l) => ({ ...l })),
    imageAnswering:
      percept.imageAnswering === undefined
        ? null
        : percept.imageAnswering === 'vision-llm'
          ? VisualAnswerMethod.VISION_LLM
          : VisualAnswerMethod.CANDIDATE_SCORING,
    visualAnswer: answer
      ? {
          method: VisualAnswerMethod.CANDIDATE_SCORING,
          kind: enumValue<QuestionKindGql>(answer.kind),
          answer: answer.answer,
          confidence: answer.confidence,
          candidates: answer.candidates.map((l) => ({ ...l })),
        }
      : null,
    imagesUnrecognized: percept.imagesUnrecognized,
    fused: Object.keys(percept.vectors),
    alignment: percept.alignment,
    alignmentSpace:
      percept.alignmentSpace === undefined
        ? null
        : percept.alignmentSpace === 'shared'
          ? AlignmentSpace.SHARED
          : AlignmentSpace.NATIVE,
  };
}
