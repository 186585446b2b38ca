import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import { ask, type AskOptions, type EvalTarget } from './eval-client.js';
import { markdownOf, reportOf, type EvalReport } from './eval-report.js';
import { ResultsFile } from './eval-results.js';
import { isProblem, type EvalItem, type EvalSuite } from './eval-suite.js';

export interface EvalRun extends EvalTarget, AskOptions {
  suite: EvalSuite;
  data: string;
  out: string;
  /** The first `limit` items of the data only. */
  limit?: number;
  concurrency: number;
  /** Draw a progress bar (the command does; tests do not). */
  progress?: boolean;
}

/**
 * Runs a suite against a server: every item not in the results file yet is asked (each in its own session,
 * `concurrency` at a time), scored and appended as it ends; then the JSON and Markdown reports are written from
 * all results. Answers the report.
 */
export async function runEval(run: EvalRun): Promise<EvalReport> {
  const { suite, data, out } = run;
  mkdirSync(out, { recursive: true });
  const results = new ResultsFile(path.join(out, `${suite.id}.results.jsonl`));
  const runId = runIdOf(path.join(out, `${suite.id}.run-id`));
  const problems: string[] = [];
  const items: EvalItem[] = [];
  for await (const entry of suite.read(data)) {
    if (isProblem(entry)) problems.push(entry.problem);
    else items.push(entry);
    if (run.limit !== undefined && items.length >= run.limit) break;
  }
  const todo = items.filter((item) => !results.done.has(item.id));
  const bar = run.progress ? progressBar(items.length, items.length - todo.length) : undefined;
  let failed = 0;
  let asked = 0;
  const started = Date.now();
  const next = todo[Symbol.iterator]();
  const worker = async () => {
    for (let step = next.next(); !step.done; step = next.next()) {
      const item = step.value;
      try {
        const answer = await ask(run, item.prompt, `eval-${suite.id}-${runId}-${item.id}`, run);
        const { extracted, correct } = suite.score(answer.text, item);
        results.add({
          id: item.id,
          ...(item.type && { type: item.type }),
          expected: item.expected,
          prediction: answer.text,
          extracted,
          correct,
          path: answer.path,
          latencyMs: Math.round(answer.latencyMs),
          promptTokens: answer.promptTokens,
          completionTokens: answer.completionTokens,
        });
      } catch (error) {
        failed++;
        console.error(`${suite.id} ${item.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const seconds = (Date.now() - started) / 1000;
      bar?.increment({ rate: (++asked / Math.max(0.001, seconds)).toFixed(2) });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, run.concurrency) }, worker));
  bar?.stop();
  const ids = new Set(items.map((i) => i.id));
  const report = reportOf(
    suite.id,
    data,
    [...results.done.values()].filter((r) => ids.has(r.id)),
    problems,
    failed,
  );
  writeFileSync(path.join(out, `${suite.id}.report.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(path.join(out, `${suite.id}.report.md`), markdownOf(report));
  return report;
}

/**
 * The run's id, kept beside its results: a resumed run asks in the same sessions, another run (another --out)
 * in new ones, so no run's questions reach another's prompts as conversation turns.
 */
function runIdOf(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const id = randomUUID().slice(0, 8);
  writeFileSync(file, `${id}\n`);
  return id;
}

function progressBar(total: number, done: number): SingleBar {
  const bar = new SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} items | {rate}/s | ETA {eta_formatted}',
      noTTYOutput: true, // a line every few seconds in logs and CI
      notTTYSchedule: 5000,
    },
    Presets.shades_classic,
  );
  bar.start(total, done, { rate: '0' });
  return bar;
}
