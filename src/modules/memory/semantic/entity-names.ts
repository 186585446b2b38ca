/** The form names are compared in: Unicode-normalized, lower case, punctuation dropped, spaces collapsed. */
export function normalizeName(name: string): string {
  return name
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s'-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Predicates in one spelling: lower snake case ("Lives in" → lives_in). */
export function normalizePredicate(predicate: string): string {
  return predicate
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

/** The words of a normalized name worth matching on (initials and particles are too common). */
export function nameTokens(norm: string): string[] {
  return [...new Set(norm.split(' ').filter((t) => t.length >= 3))];
}

/** "ada" ⊂ "ada lovelace", "lovelace" ⊂ "ada lovelace": every word of the shorter name is in the longer one. */
export function wordsContained(a: string, b: string): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const words = new Set(long.split(' '));
  return short.split(' ').every((w) => words.has(w));
}
