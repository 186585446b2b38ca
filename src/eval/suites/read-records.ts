import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import type { EvalItem, ReadProblem } from '../eval-suite.js';

/** Bounded: one record of any of the text suites is a few KB; a bigger one is not a record of them. */
const MAX_LINE_CHARS = 1_000_000;

/**
 * Each line of a JSON Lines file checked against the schema: the record, or a problem naming the line (a run
 * goes on past it). Blank lines are skipped.
 */
export async function* jsonLines<T>(
  file: string,
  schema: z.ZodType<T>,
): AsyncGenerator<[number, T] | ReadProblem> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    yield line.length > MAX_LINE_CHARS ? problem(file, n, 'longer than 1 MB') : parsed(file, n, line, schema);
  }
}

/** Each element of a file holding one JSON array, checked against the schema (a problem names the index). */
export function* jsonArray<T>(file: string, schema: z.ZodType<T>): Generator<[number, T] | ReadProblem> {
  let all: unknown;
  try {
    all = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not a JSON file: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(all)) throw new Error(`${file} holds no JSON array of records`);
  for (const [i, element] of all.entries()) {
    const result = schema.safeParse(element);
    yield result.success
      ? [i, result.data]
      : problem(file, i, result.error.issues[0]?.message ?? 'invalid', 'record');
  }
}

function parsed<T>(file: string, n: number, line: string, schema: z.ZodType<T>): [number, T] | ReadProblem {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return problem(file, n, 'not JSON');
  }
  const result = schema.safeParse(value);
  if (result.success) return [n, result.data];
  const issue = result.error.issues[0];
  return problem(file, n, `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`);
}

function problem(file: string, n: number, what: string, unit = 'line'): ReadProblem {
  return { problem: `${file} ${unit} ${n}: ${what}` };
}

/** Items from read records: problems pass through, and each record (with its line or index) becomes an item. */
export async function* itemsOf<T>(
  entries: AsyncIterable<[number, T] | ReadProblem> | Iterable<[number, T] | ReadProblem>,
  toItem: (at: number, record: T) => EvalItem | ReadProblem,
): AsyncGenerator<EvalItem | ReadProblem> {
  for await (const entry of entries) yield Array.isArray(entry) ? toItem(...entry) : entry;
}
