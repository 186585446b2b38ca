import type { RankedLabel } from '../../common/zero-shot.js';
import type { Percept } from './percept.js';
import type { QuestionKind } from './visual-question.js';

const scores = (labels: RankedLabel[]) => labels.map((l) => `${l.label} (${l.score.toFixed(2)})`).join(', ');

/**
 * The perceived media as prompt text: one line per source, marked with where it came from. Ordered by how
 * directly a line answers and how short it is — the answer scored on the image, labels, sound events, then the
 * transcript — so a prompt cut to fit loses the free text at the end first.
 */
export function perceptContext(percept: Omit<Percept, 'context'>, kind: QuestionKind | undefined): string {
  const lines: string[] = [];
  if (percept.visualAnswer) {
    const [best, ...rest] = percept.visualAnswer.candidates;
    lines.push(
      `[image 1, answer scored against the image] "${best!.label}" (${best!.score.toFixed(2)})` +
        (rest.length ? `; next: ${scores(rest)}` : ''),
    );
  } else if (kind) {
    lines.push('[image 1, answer scored against the image] inconclusive: no candidate answer stood out');
  }
  percept.images.forEach((image, i) =>
    lines.push(
      image.usable
        ? `[image ${i + 1}, zero-shot labels] ${scores(image.labels)}`
        : `[image ${i + 1}] no usable label (best guess ${scores(image.labels.slice(0, 1))}, too unsure to state)`,
    ),
  );
  if (percept.audioEvents.length) lines.push(`[audio, sound events] ${scores(percept.audioEvents)}`);
  if (percept.transcript !== undefined) {
    const words = percept.transcript.trim();
    lines.push(`[audio, transcript] ${words === '' ? '(no speech recognized)' : words}`);
  }
  if (lines.length === 0) return '';
  // Short on purpose: it shares the prompt with memory, and the lines matter more than the preamble.
  return `Perceived in the attached media (confidence in parentheses; if it does not answer, say so):\n${lines.join('\n')}`;
}

const NOTE_WORDS = 400;

/** One compact line of what was perceived, stored with the user's turn so later recall and follow-ups see it. */
export function perceptNote(percept: Omit<Percept, 'context'>): string {
  const parts: string[] = [];
  percept.images.forEach((image, i) => {
    const name = percept.images.length > 1 ? `image ${i + 1}` : 'image';
    parts.push(
      image.usable ? `${name}: ${image.labels.map((l) => l.label).join(', ')}` : `${name}: unrecognized`,
    );
  });
  if (percept.visualAnswer) parts.push(`answer scored on the image: ${percept.visualAnswer.answer}`);
  if (percept.transcript?.trim()) {
    parts.push(
      `audio transcript: "${percept.transcript.trim().split(/\s+/).slice(0, NOTE_WORDS).join(' ')}"`,
    );
  }
  if (percept.audioEvents.length) parts.push(`sounds: ${percept.audioEvents.map((l) => l.label).join(', ')}`);
  return parts.length ? `[attached ${parts.join('; ')}]` : '';
}
