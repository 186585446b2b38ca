// The answer-extraction rules of the text suites (docs/eval.md says the same in words). Pure functions.

/** A number as people write it: a minus touching it, optional `$`, thousands commas, decimals. */
const NUMBER = /-?\$?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?/g;
// Not `=`: a worked answer has many ("5 + 3 = 8 apples ... so 6 are left").
const CUE = /(?:####|answer\s*(?:is|:))\s*/gi;

/** The number in a piece of text, as a value: `$1,234.50` → 1234.5; null when there is none. */
export function numberValue(text: string): number | null {
  const match = text.match(NUMBER)?.[0];
  if (match === undefined) return null;
  const value = Number(match.replace(/[$,\s]/g, ''));
  return Number.isFinite(value) ? value : null;
}

/**
 * The final number of an answer: the first number after the last `####`, "answer is" or "answer:" cue when
 * there is one, else the last number in the text. Commas, `$`, and units or words after it are dropped.
 */
export function finalNumber(prediction: string): number | null {
  let after: string | undefined;
  for (const cue of prediction.matchAll(CUE)) after = prediction.slice(cue.index + cue[0].length);
  const cued = after === undefined ? null : numberValue(after);
  if (cued !== null) return cued;
  const all = [...prediction.matchAll(NUMBER)];
  return all.length ? numberValue(all.at(-1)![0]) : null;
}

/** Two answers agree to within rounding (GSM8K and SVAMP answers are integers or short decimals). */
export function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

/** The first yes or no (true or false) the answer gives; null when it gives neither. */
export function yesNo(prediction: string): 'yes' | 'no' | null {
  const word = /\b(yes|no|true|false)\b/i.exec(prediction)?.[1]?.toLowerCase();
  if (word === undefined) return null;
  return word === 'yes' || word === 'true' ? 'yes' : 'no';
}

/**
 * The choice an answer picks: the label after an "answer is"/"answer:" cue; else a label standing alone at the
 * start ("B", "(B)", "B.", "B)" — not the article in "A dog"); else the first label written as a label anywhere
 * ("(B)", "B)", "B."); else the one choice whose text the answer contains as words. Null when none finds one.
 */
export function choiceLabel(prediction: string, choices: { label: string; text: string }[]): string | null {
  const labels = choices.map((c) => escape(c.label)).join('|');
  const alone = new RegExp(`^\\s*(?:\\((${labels})\\)|(${labels})(?=[).:\\]]|\\s*$|\\s*\\n))`);
  const at = (s: string) => {
    const m = alone.exec(s);
    return m ? (m[1] ?? m[2])! : null;
  };
  let after: string | undefined;
  for (const cue of prediction.matchAll(/answer\s*(?:is|:)\s*/gi))
    after = prediction.slice(cue.index + cue[0].length);
  const cued = after === undefined ? null : (new RegExp(`^\\s*\\(?(${labels})\\b`).exec(after)?.[1] ?? null);
  const marked = new RegExp(`\\((${labels})\\)|(?:^|\\s)(${labels})[).:]`).exec(prediction);
  const picked = cued ?? at(prediction) ?? (marked ? (marked[1] ?? marked[2])! : null);
  if (picked) return picked;
  const words = (s: string) => new RegExp(`(?:^|\\W)${escape(s.toLowerCase())}(?:$|\\W)`);
  const lower = prediction.toLowerCase();
  const named = choices.filter((c) => c.text.trim() !== '' && words(c.text).test(lower));
  return named.length === 1 ? named[0]!.label : null;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
