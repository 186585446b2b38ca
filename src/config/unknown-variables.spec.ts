import { editDistance, unknownVariableWarnings } from './unknown-variables.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
    ['MNEME_SLO_TARGET', 'MNEME_SLO_TARGETS', 1],
    ['MNEME_PROT', 'MNEME_PORT', 2],
  ])('from "%s" to "%s" is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('unknownVariableWarnings', () => {
  it('names a misspelt variable and the nearest one the server reads', () => {
    expect(unknownVariableWarnings({ MNEME_SLO_TARGET: 'memory.semantic=100' })).toEqual([
      'MNEME_SLO_TARGET is not a Mneme variable and is ignored; did you mean MNEME_SLO_TARGETS? ' +
        '(docs/configuration.md lists them all)',
    ]);
    expect(unknownVariableWarnings({ MNEME_LLM_CONTEXT: '8192' })[0]).toContain('MNEME_LLM_CONTEXT_SIZE?');
  });

  it('says nothing of known variables, other prefixes, or the tests’ and benchmarks’ own', () => {
    const env = {
      MNEME_PORT: '4000',
      OTEL_SERVICE_NAME: 'x',
      PATH: '/bin',
      MNEME_TEST_REDIS_SERVER: 'redis-server',
      MNEME_BENCH_1M: '1',
    };
    expect(unknownVariableWarnings(env)).toEqual([]);
  });

  it('warns once per unknown variable, sorted, whatever its value (empty included)', () => {
    const warnings = unknownVariableWarnings({ MNEME_ZZZ: '', MNEME_AAA: 'x' }, ['MNEME_AAB', 'MNEME_ZZY']);
    expect(warnings.map((w) => w.split(' ')[0])).toEqual(['MNEME_AAA', 'MNEME_ZZZ']);
    expect(warnings[0]).toContain('did you mean MNEME_AAB?');
    expect(warnings[1]).toContain('did you mean MNEME_ZZY?');
  });
});
