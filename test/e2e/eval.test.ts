import { jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evalSuite } from '../../src/cli/eval.js';
import { runEval } from '../../src/eval/eval-runner.js';
import type { ItemResult } from '../../src/eval/eval-results.js';
import { SUITES } from '../../src/eval/suites/index.js';
import { tempDir } from '../support/memory-stack.js';
import { KEYS, startTestApp, type TestApp } from '../support/test-app.js';

// `mneme eval` against the real server on the bundled models: answers are noise, so accuracy is near zero; what
// is checked is that every item is asked, scored and reported, and that a rerun skips what is done.

const FILES: Record<string, string> = {
  gsm8k: 'gsm8k.jsonl',
  svamp: 'svamp.json',
  strategyqa: 'strategyqa.json',
  commonsenseqa: 'commonsenseqa.jsonl',
  openbookqa: 'openbookqa.jsonl',
};
const data = (suite: string) => path.resolve('test/fixtures/eval', FILES[suite]!);
/** Every whole line of the results file (one cut short by a kill is not one). */
const resultsOf = (out: string, suite: string) =>
  readFileSync(path.join(out, `${suite}.results.jsonl`), 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as ItemResult);

describe('mneme eval', () => {
  let server: TestApp;
  const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  beforeAll(async () => {
    // Alice's `hint` forces the path (what --path asks for); Bob's would only tip the router.
    server = await startTestApp({ MNEME_ROUTING_FORCE_TENANTS: 'alice' });
  });
  afterAll(async () => {
    quiet.mockRestore();
    await server.close();
  });
  const run = (suite: string, out: string, limit?: number) =>
    runEval({
      suite: SUITES[suite]!,
      data: data(suite),
      out,
      url: server.url,
      key: KEYS.alice,
      limit,
      concurrency: 2,
      maxTokens: 24,
    });

  it.each(Object.keys(FILES))('runs %s end to end: every item asked, scored and reported', async (suite) => {
    const out = tempDir('eval');
    const report = await run(suite, out);
    const expected = { gsm8k: 3, svamp: 2, strategyqa: 2, commonsenseqa: 2, openbookqa: 2 }[suite];
    expect(report).toMatchObject({ suite, items: expected, failed: 0 });
    const results = resultsOf(out, suite);
    expect(results).toHaveLength(expected!);
    expect(report.accuracy).toBe(results.filter((r) => r.correct).length / expected!);
    for (const r of results) {
      expect(['fast', 'medium', 'deep']).toContain(r.path);
      expect(r.completionTokens).toBeGreaterThan(0);
      expect(r.correct).toBe(r.extracted === r.expected); // every suite's rule ends in an exact match
    }
    expect(Object.values(report.byPath).reduce((n, p) => n + p.items, 0)).toBe(expected);
    const markdown = readFileSync(path.join(out, `${suite}.report.md`), 'utf8');
    expect(markdown).toMatch(new RegExp(`^# ${suite}: [\\d.]+ % \\(\\d+ of ${expected}\\)`));
    expect(JSON.parse(readFileSync(path.join(out, `${suite}.report.json`), 'utf8'))).toEqual(report);
  });

  it('resumes: a rerun asks only what is not done, after a kill cut the last line short', async () => {
    const out = tempDir('eval');
    await run('gsm8k', out, 1);
    const [first] = resultsOf(out, 'gsm8k');
    // A kill in the middle of writing the next line leaves half of it.
    const file = path.join(out, 'gsm8k.results.jsonl');
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"id":"line-2","expec`);
    const report = await run('gsm8k', out);
    expect(report.items).toBe(3);
    const results = resultsOf(out, 'gsm8k');
    expect(results.map((r) => r.id).sort()).toEqual(['line-1', 'line-2', 'line-4']);
    expect(results.filter((r) => r.id === 'line-1')).toEqual([first]); // asked once, kept as it was
    expect(report.problems).toEqual([expect.stringMatching(/gsm8k\.jsonl line 3: not JSON/)]);
  });

  it('runs from the command’s entry, and refuses bad flags and an unknown suite with a clear word', async () => {
    const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      const out = tempDir('eval');
      const flags = {
        data: data('strategyqa'),
        out,
        url: server.url,
        key: KEYS.alice,
        concurrency: '1',
        path: 'fast',
      };
      expect(await evalSuite('strategyqa', { ...flags, maxTokens: '16' })).toBe(0);
      expect(quiet).toHaveBeenLastCalledWith(
        expect.stringMatching(/^strategyqa: [\d.]+ % \(\d of 2\); reports in /),
      );
      expect(resultsOf(out, 'strategyqa').map((r) => r.path)).toEqual(['fast', 'fast']);
      expect(await evalSuite('mmlu', flags)).toBe(2);
      expect(errors).toHaveBeenLastCalledWith(
        expect.stringMatching(/unknown suite mmlu: one of gsm8k, svamp/),
      );
      expect(await evalSuite('gsm8k', { ...flags, data: data('gsm8k'), concurrency: '0' })).toBe(2);
      expect(errors).toHaveBeenLastCalledWith('--concurrency must be a whole number from 1 to 64, not 0');
      expect(await evalSuite('gsm8k', { ...flags, data: data('gsm8k'), key: 'wrong-key' })).toBe(1);
      expect(errors).toHaveBeenCalledWith(expect.stringMatching(/gsm8k line-1: UNAUTHENTICATED/));
    } finally {
      errors.mockRestore();
    }
  });
});
