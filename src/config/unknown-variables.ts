import { envSchema } from './env.schema.js';

// The tests and benchmarks read MNEME_TEST_* and MNEME_BENCH_* themselves; the server never does.
const TOOL_PREFIXES = ['MNEME_TEST_', 'MNEME_BENCH_'];

const KNOWN_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

/**
 * One warning per MNEME_* variable that the server does not read, naming the known one nearest to it: a
 * misspelt variable is otherwise silently ignored. Warnings, not errors, so stray variables never stop a boot.
 */
export function unknownVariableWarnings(
  env: NodeJS.ProcessEnv,
  known: readonly string[] = KNOWN_VARIABLES,
): string[] {
  const knownSet = new Set(known);
  return Object.keys(env)
    .filter((name) => name.startsWith('MNEME_') && !knownSet.has(name))
    .filter((name) => !TOOL_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .sort()
    .map(
      (name) =>
        `${name} is not a Mneme variable and is ignored; did you mean ${nearestOf(name, known)}? ` +
        '(docs/configuration.md lists them all)',
    );
}

// Ties go to the longer shared prefix: a name cut short (MNEME_LLM_CONTEXT) is a common slip.
function nearestOf(name: string, known: readonly string[]): string {
  let best = { name: '', distance: Infinity, prefix: 0 };
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    const prefix = sharedPrefixLength(name, candidate);
    if (distance < best.distance || (distance === best.distance && prefix > best.prefix))
      best = { name: candidate, distance, prefix };
  }
  return best.name;
}

function sharedPrefixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && a[length] === b[length]) length++;
  return length;
}

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
