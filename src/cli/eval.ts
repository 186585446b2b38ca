import { SUITES } from '../eval/suites/index.js';
import { runEval } from '../eval/eval-runner.js';

export interface EvalFlags {
  data: string;
  out: string;
  url: string;
  key?: string;
  limit?: string;
  concurrency: string;
  path: string;
  samples?: string;
  maxTokens?: string;
}

/** `mneme eval <suite>`: runs it against a server and prints where the reports are; answers the exit code. */
export async function evalSuite(suiteId: string, flags: EvalFlags): Promise<number> {
  const suite = SUITES[suiteId];
  if (!suite) {
    console.error(`unknown suite ${suiteId}: one of ${Object.keys(SUITES).join(', ')}`);
    return 2;
  }
  const path = flags.path === 'auto' ? undefined : (flags.path as 'fast' | 'medium' | 'deep');
  const limit = whole(flags.limit, 'limit', 1, Number.MAX_SAFE_INTEGER);
  const concurrency = whole(flags.concurrency, 'concurrency', 1, 64);
  const samples = whole(flags.samples, 'samples', 1, 8);
  const maxTokens = whole(flags.maxTokens, 'max-tokens', 1, 32_768);
  if (limit === null || concurrency === null || samples === null || maxTokens === null) return 2;
  try {
    const report = await runEval({
      suite,
      data: flags.data,
      out: flags.out,
      url: flags.url,
      key: flags.key,
      limit,
      concurrency: concurrency ?? 2,
      path,
      samples,
      maxTokens,
      progress: true,
    });
    const pct = (report.accuracy * 100).toFixed(1);
    console.log(`${suite.id}: ${pct} % (${report.correct} of ${report.items}); reports in ${flags.out}`);
    if (report.problems.length)
      console.log(`${report.problems.length} records could not be read (see the report)`);
    return report.failed ? 1 : 0;
  } catch (error) {
    console.error(`eval failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

/** A whole-number flag within bounds; null (after saying why) when it is not one. */
function whole(value: string | undefined, name: string, min: number, max: number): number | undefined | null {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  console.error(`--${name} must be a whole number from ${min} to ${max}, not ${value}`);
  return null;
}
