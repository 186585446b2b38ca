/** The closed-question kinds CLIP-class scoring can answer. */
export type QuestionKind = 'yes-no' | 'count' | 'open';

const AUXILIARY =
  /^(is|are|was|were|am|does|do|did|can|could|will|would|should|has|have|had|isn't|aren't|doesn't|don't)\b/;
const OPEN = /^(what|which|who|whose|where|when|how)\b/;
const COUNT = /^how many\b/;

/**
 * What kind of closed question the prompt is, or undefined when it is not one that scoring candidate answers
 * against the image can settle (a request, an explanation, a long text).
 */
export function questionKind(prompt: string): QuestionKind | undefined {
  const q = prompt.trim().toLowerCase();
  if (q.length === 0 || q.length > 200 || /\b(why|explain|describe|write|tell me)\b/.test(q))
    return undefined;
  if (COUNT.test(q)) return 'count';
  if (AUXILIARY.test(q)) return 'yes-no';
  if (OPEN.test(q) && q.endsWith('?')) return 'open';
  return undefined;
}

const COUNTS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

/** The candidate answers for a kind: yes/no, small counts, or the configured vocabulary. */
export function candidateAnswers(kind: QuestionKind, vocabulary: readonly string[]): string[] {
  if (kind === 'yes-no') return ['yes', 'no'];
  if (kind === 'count') return COUNTS;
  return [...vocabulary];
}

/**
 * One prompt per candidate, conditioned on the question, so the text tower scores the answer in the context it
 * was asked in ("how many dogs? 2" and "how many cups? 2" are different pictures).
 */
export function answerPrompts(question: string, answers: readonly string[]): string[] {
  const q = question.trim().replace(/\s+/g, ' ').slice(0, 160);
  return answers.map((a) => `a photo. question: ${q} answer: ${a}`);
}
