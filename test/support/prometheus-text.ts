// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must be a HELP, a
// TYPE, a comment, blank, or a sample of a declared family, and histograms must be well formed (cumulative
// buckets ending in +Inf equal to _count, with _sum). It throws on the first violation, naming the line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? (\\S+)(?: (-?\\d+))?$`);
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|[+-]?Inf|NaN)$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    const fail = (why: string) => {
      throw new Error(`line ${i + 1} (${why}): ${line}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!meta) return; // a plain comment
      const [, kind, name, rest] = meta as unknown as [string, string, string, string];
      if (!new RegExp(`^${NAME}$`).test(name)) fail('bad metric name');
      const family = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) fail('unknown type');
        if (family.samples.length) fail('TYPE after samples');
        family.type = rest;
      } else family.help = rest;
      families.set(name, family);
      return;
    }
    const match = SAMPLE.exec(line);
    if (!match) return fail('not a sample');
    const [, name, labelText, value] = match as unknown as [string, string, string | undefined, string];
    if (!VALUE.test(value)) fail('bad value');
    const labels: Record<string, string> = {};
    for (const m of (labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      if (m[1]! in labels) fail(`label ${m[1]} twice`);
      labels[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    }
    const family = [...families.values()].find((f) =>
      (SUFFIXES[f.type] ?? ['']).some((suffix) => `${f.name}${suffix}` === name),
    );
    if (!family) return fail('sample of no declared family');
    family.samples.push({ name, labels, value: numberOf(value) });
  });
  for (const family of families.values()) if (family.type === 'histogram') checkHistogram(family);
  return families;
}

function checkHistogram(family: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of family.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, samples] of series) {
    const buckets = samples.filter((s) => s.name.endsWith('_bucket'));
    const count = samples.find((s) => s.name === `${family.name}_count`);
    if (!count || !samples.some((s) => s.name === `${family.name}_sum`))
      throw new Error(`${family.name}${key}: a histogram series needs _sum and _count`);
    const bounds = buckets.map((b) => numberOf(b.labels.le ?? 'NaN'));
    if (bounds.some(Number.isNaN) || bounds.at(-1) !== Infinity)
      throw new Error(`${family.name}${key}: buckets must have numeric le and end with +Inf`);
    for (let i = 1; i < buckets.length; i++) {
      if (bounds[i]! <= bounds[i - 1]! || buckets[i]!.value < buckets[i - 1]!.value)
        throw new Error(`${family.name}${key}: buckets must be increasing and cumulative`);
    }
    if (buckets.at(-1)!.value !== count.value)
      throw new Error(`${family.name}${key}: the +Inf bucket must equal _count`);
  }
}

/** A sample value or bucket bound: JavaScript's Number() does not read "+Inf". */
function numberOf(text: string): number {
  return /^[+]?Inf$/.test(text) ? Infinity : text === '-Inf' ? -Infinity : Number(text);
}
