import { isProblem, type EvalItem, type ReadProblem } from '../eval-suite.js';
import { SUITES } from './index.js';

// Each reader on small files in the official formats (test/fixtures/eval, written for these tests): the items
// it yields, and a broken record reported by its line while the rest are read.

async function read(suite: string, file: string): Promise<{ items: EvalItem[]; problems: string[] }> {
  const entries: (EvalItem | ReadProblem)[] = [];
  for await (const entry of SUITES[suite]!.read(`test/fixtures/eval/${file}`)) entries.push(entry);
  return {
    items: entries.filter((e): e is EvalItem => !isProblem(e)),
    problems: entries.filter(isProblem).map((p) => p.problem),
  };
}

describe('suite readers', () => {
  it('GSM8K: the number after ####, commas dropped; a broken line is named and skipped', async () => {
    const { items, problems } = await read('gsm8k', 'gsm8k.jsonl');
    expect(items.map((i) => [i.id, i.expected])).toEqual([
      ['line-1', '29'],
      ['line-2', '1335'],
      ['line-4', '-6'],
    ]);
    expect(items[0]!.prompt).toMatch(/^Mia has 3 boxes.*####/s);
    expect(problems).toEqual(['test/fixtures/eval/gsm8k.jsonl line 3: not JSON']);
    expect(SUITES.gsm8k!.score('so she keeps 29 pencils', items[0]!)).toEqual({
      extracted: '29',
      correct: true,
    });
    expect(SUITES.gsm8k!.score('#### 1,335', items[1]!).correct).toBe(true);
  });

  it('SVAMP: body and question asked together, the numeric answer; a record without a question is named', async () => {
    const { items, problems } = await read('svamp', 'svamp.json');
    expect(items.map((i) => [i.id, i.expected])).toEqual([
      ['chal-1', '17'],
      ['chal-2', '48'],
    ]);
    expect(items[1]!.prompt).toMatch(/^There are 8 rows .* How many chairs are there\?/s);
    expect(problems).toEqual([expect.stringMatching(/svamp\.json record 2: /)]);
  });

  it('StrategyQA: yes/no from the boolean answer', async () => {
    const { items } = await read('strategyqa', 'strategyqa.json');
    expect(items.map((i) => [i.id, i.expected])).toEqual([
      ['q1', 'no'],
      ['q2', 'yes'],
    ]);
    expect(SUITES.strategyqa!.score('No, it would not.', items[0]!).correct).toBe(true);
  });

  it('CommonsenseQA and OpenBookQA: the choices in the prompt, scored by letter; a key that is no choice is named', async () => {
    const csqa = await read('commonsenseqa', 'commonsenseqa.jsonl');
    expect(csqa.items.map((i) => [i.id, i.expected])).toEqual([
      ['c1', 'B'],
      ['c2', 'A'],
    ]);
    expect(csqa.items[0]!.prompt).toContain('A. sunny days\nB. rain\nC. a library');
    expect(csqa.problems).toEqual([expect.stringMatching(/line 3: answerKey E is none of the choices/)]);
    expect(SUITES.commonsenseqa!.score('B', csqa.items[0]!).correct).toBe(true);
    const obqa = await read('openbookqa', 'openbookqa.jsonl');
    expect(obqa.items.map((i) => i.expected)).toEqual(['A', 'C']);
    expect(SUITES.openbookqa!.score('It is (A), metal conducts heat.', obqa.items[0]!).correct).toBe(true);
  });

  it('refuses a file that is not the suite’s format as a whole, saying which', async () => {
    await expect(read('svamp', 'gsm8k.jsonl')).rejects.toThrow(/gsm8k\.jsonl is not a JSON file/);
  });
});
