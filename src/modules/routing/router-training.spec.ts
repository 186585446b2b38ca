import { parseLabelled, stratifiedSplit, type LabelledRequest } from './router-training.js';

const rows: LabelledRequest[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ prompt: `f${i}`, path: 'fast' as const })),
  ...Array.from({ length: 5 }, (_, i) => ({ prompt: `m${i}`, path: 'medium' as const })),
  ...Array.from({ length: 20 }, (_, i) => ({ prompt: `d${i}`, path: 'deep' as const })),
];

describe('router training data', () => {
  it('holds out the same fraction of every path, disjoint from training', () => {
    const { train, test } = stratifiedSplit(rows);
    expect(test.filter((r) => r.path === 'fast')).toHaveLength(2);
    expect(test.filter((r) => r.path === 'medium')).toHaveLength(1);
    expect(test.filter((r) => r.path === 'deep')).toHaveLength(4);
    expect(train.length + test.length).toBe(rows.length);
    const trained = new Set(train.map((r) => r.prompt));
    expect(test.some((r) => trained.has(r.prompt))).toBe(false);
  });

  it('splits the same way every time (seeded)', () => {
    expect(stratifiedSplit(rows)).toEqual(stratifiedSplit(rows));
    expect(stratifiedSplit(rows, 0.2, 7).test).not.toEqual(stratifiedSplit(rows, 0.2, 8).test);
  });

  it('parses JSON lines and names the first bad one', () => {
    expect(parseLabelled('{"prompt":"hi","path":"fast"}\n\n{"prompt":"why","path":"deep"}\n', 'x')).toEqual([
      { prompt: 'hi', path: 'fast' },
      { prompt: 'why', path: 'deep' },
    ]);
    expect(() =>
      parseLabelled('{"prompt":"hi","path":"fast"}\n{"prompt":"hi","path":"slow"}', 'data.jsonl'),
    ).toThrow('data.jsonl:2: want');
  });
});
