import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configurationDoc, markdownTable } from './configuration-doc.js';
import { ENV_SECTIONS, envSchema, variableDocs } from './env.schema.js';

const rowOf = (doc: string, variable: string) =>
  doc
    .split('\n')
    .find((line) => line.startsWith(`| \`${variable}\` `))
    ?.split('|')
    .map((cell) => cell.trim());

describe('docs/configuration.md', () => {
  it('matches the schema (run `npm run docs:config` after changing a variable)', () => {
    const committed = readFileSync('docs/configuration.md', 'utf8');
    const generated = configurationDoc();
    if (committed !== generated) {
      throw new Error(
        'docs/configuration.md is out of date with src/config/env.schema.ts: run `npm run docs:config`',
      );
    }
  });

  it('puts every variable of the schema in exactly one section', () => {
    const sectioned = ENV_SECTIONS.flatMap((section) => Object.keys(section.variables));
    expect(new Set(sectioned).size).toBe(sectioned.length);
    expect([...sectioned].sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('gives every variable a meaning', () => {
    const undescribed = Object.entries(envSchema.shape)
      .filter(([, schema]) => !variableDocs.get(schema)?.meaning.trim())
      .map(([name]) => name);
    expect(undescribed).toEqual([]);
  });

  it("shows the schema's own default, a default in words, or none", () => {
    const doc = configurationDoc();
    expect(rowOf(doc, 'MNEME_PORT')?.[2]).toBe('`4000`');
    expect(rowOf(doc, 'MNEME_SLO_SHED_FAST')?.[2]).toBe('`memory.semantic,memory.episodic`');
    expect(rowOf(doc, 'MNEME_HOST')?.[2]).toBe('`127.0.0.1` without keys, `0.0.0.0` with keys');
    expect(rowOf(doc, 'MNEME_NEO4J_PASSWORD')?.[2]).toBe('—');
  });

  it('lists the default SLO targets and the stages without one', () => {
    const doc = configurationDoc();
    expect(doc).toContain('encode.audio 100 ms/s');
    expect(doc).toContain('ask.deep 10000');
    expect(doc).toMatch(/Stages without a default target: [^\n]*llm\.generate/);
  });

  it('refuses to document a variable without a description', () => {
    const section = { title: 'Loose', variables: { MNEME_UNDESCRIBED: z.string().optional() } };
    expect(() => configurationDoc([section])).toThrow(/MNEME_UNDESCRIBED has no description/);
  });
});

describe('markdownTable', () => {
  it('pads every column to its widest cell, as Prettier does', () => {
    expect(markdownTable(['a', 'bb'], [['long cell', 'x']])).toBe(
      ['| a         | bb  |', '| --------- | --- |', '| long cell | x   |'].join('\n'),
    );
  });

  it('counts a character outside ASCII as one column and escapes pipes', () => {
    expect(markdownTable(['v'], [['≥ 8'], ['a|b']])).toBe(
      ['| v    |', '| ---- |', '| ≥ 8  |', '| a\\|b |'].join('\n'),
    );
  });
});
