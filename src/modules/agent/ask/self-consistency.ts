export interface Vote {
  /** Index of the sample whose answer won (the first one that gave it). */
  winner: number;
  /** The normalized final answers, one per sample. */
  answers: string[];
  /** Share of samples that agree with the winner, 0..1. */
  agreement: number;
  /** Normalized entropy of the answers: 0 when all agree, 1 when all differ. */
  diversity: number;
}

/**
 * The final answer of one sample, normalized for voting: the last number when there is one (arithmetic and
 * word problems end in one), else the last non-empty line, lower-cased, without punctuation or extra spaces.
 */
export function finalAnswer(text: string): string {
  const numbers = text.replace(/(\d),(\d{3})/g, '$1$2').match(/-?\d+(\.\d+)?/g);
  if (numbers) return String(Number(numbers.at(-1)));
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Majority vote over the samples' final answers; ties go to the answer seen first. */
export function vote(texts: readonly string[]): Vote {
  if (texts.length === 0) throw new Error('nothing to vote on');
  const answers = texts.map(finalAnswer);
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  let best = answers[0]!;
  for (const [answer, count] of counts) if (count > counts.get(best)!) best = answer;
  const n = texts.length;
  const entropy = [...counts.values()].reduce((h, c) => h - (c / n) * Math.log(c / n), 0);
  return {
    winner: answers.indexOf(best),
    answers,
    agreement: counts.get(best)! / n,
    diversity: n > 1 ? entropy / Math.log(n) : 0,
  };
}
