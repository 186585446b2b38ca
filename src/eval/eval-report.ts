import type { ItemResult } from './eval-results.js';

/** What a run's report says: accuracy overall, per path and per type, latency and tokens, what was not read. */
export interface EvalReport {
  suite: string;
  data: string;
  items: number;
  correct: number;
  accuracy: number;
  byPath: Record<string, { items: number; accuracy: number }>;
  byType: Record<string, { items: number; accuracy: number }>;
  latencyMs: { p50: number; p95: number; p99: number };
  meanTokens: { prompt: number; completion: number };
  /** Records of the data that could not be read (each names its line). */
  problems: string[];
  /** Items whose ask failed in this run (a rerun retries them). */
  failed: number;
}

export function reportOf(
  suite: string,
  data: string,
  results: ItemResult[],
  problems: string[],
  failed: number,
): EvalReport {
  const correct = results.filter((r) => r.correct).length;
  const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
  const mean = (f: (r: ItemResult) => number) =>
    results.length ? round(results.reduce((sum, r) => sum + f(r), 0) / results.length) : 0;
  return {
    suite,
    data,
    items: results.length,
    correct,
    accuracy: ratio(correct, results.length),
    byPath: groups(results, (r) => r.path),
    byType: groups(results, (r) => r.type),
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p95: quantile(latencies, 0.95),
      p99: quantile(latencies, 0.99),
    },
    meanTokens: { prompt: mean((r) => r.promptTokens), completion: mean((r) => r.completionTokens) },
    problems,
    failed,
  };
}

/** The report as a Markdown page. */
export function markdownOf(report: EvalReport): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const rows = (groups: Record<string, { items: number; accuracy: number }>) =>
    Object.entries(groups).map(([name, g]) => `| ${name} | ${g.items} | ${pct(g.accuracy)} |`);
  const { p50, p95, p99 } = report.latencyMs;
  return [
    `# ${report.suite}: ${pct(report.accuracy)} (${report.correct} of ${report.items})`,
    '',
    `Data: \`${report.data}\`. Latency p50 ${p50} ms, p95 ${p95} ms, p99 ${p99} ms. Mean tokens: ` +
      `${report.meanTokens.prompt} prompt, ${report.meanTokens.completion} completion.`,
    '',
    '| path | items | accuracy |',
    '| --- | ---: | ---: |',
    ...rows(report.byPath),
    ...(Object.keys(report.byType).length
      ? ['', '| type | items | accuracy |', '| --- | ---: | ---: |', ...rows(report.byType)]
      : []),
    ...(report.problems.length
      ? ['', `${report.problems.length} records not read:`, ...report.problems.map((p) => `- ${p}`)]
      : []),
    ...(report.failed
      ? ['', `${report.failed} items failed to answer in the last run (a rerun retries them).`]
      : []),
    '',
  ].join('\n');
}

function groups(results: ItemResult[], key: (r: ItemResult) => string | undefined) {
  const by = new Map<string, ItemResult[]>();
  for (const r of results) {
    const k = key(r);
    if (k !== undefined) by.set(k, [...(by.get(k) ?? []), r]);
  }
  return Object.fromEntries(
    [...by].map(([k, rs]) => [
      k,
      { items: rs.length, accuracy: ratio(rs.filter((r) => r.correct).length, rs.length) },
    ]),
  );
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : round(a / b, 4));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;
const quantile = (sorted: number[], q: number) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!) : 0;
