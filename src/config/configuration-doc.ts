import { z } from 'zod';
import { ENV_SECTIONS, variableDocs, type EnvSection, type VariableDoc } from './env.schema.js';

const INTRO = `# Configuration

<!-- Generated from src/config/env.schema.ts by \`npm run docs:config\`; edit the descriptions there. -->

Mneme reads its configuration from environment variables, validated once at start: a bad value stops the
server with a message naming every bad key (exit code 78). An empty value counts as unset. A variable that
starts with \`MNEME_\` but is not listed here is named in a warning at start, with the nearest known one
(\`MNEME_TEST_*\` and \`MNEME_BENCH_*\` belong to the tests and benchmarks).`;

/** docs/configuration.md: one table per area of the schema, from the docs registered on each variable. */
export function configurationDoc(sections: readonly EnvSection[] = ENV_SECTIONS): string {
  return [INTRO, ...sections.map(sectionText)].join('\n\n') + '\n';
}

function sectionText(section: EnvSection): string {
  const documented = Object.entries(section.variables).map(([name, schema]) => ({
    name,
    schema,
    doc: docOf(name, schema),
  }));
  const table = markdownTable(
    ['variable', 'default', 'meaning'],
    documented.map(({ name, schema, doc }) => [
      `\`${name}\``,
      doc.default ?? schemaDefault(schema),
      doc.meaning,
    ]),
  );
  const details = documented.flatMap(({ name, doc }) =>
    doc.details ? [`- \`${name}\`: ${doc.details}`] : [],
  );
  return [`## ${section.title}`, table, ...(details.length ? [details.join('\n')] : [])].join('\n\n');
}

function docOf(name: string, schema: z.ZodType): VariableDoc {
  const doc = variableDocs.get(schema);
  if (!doc) throw new Error(`${name} has no description: register one on variableDocs in env.schema.ts`);
  return doc;
}

function schemaDefault(schema: z.ZodType): string {
  if (!(schema instanceof z.ZodDefault)) return '—';
  const value: unknown = schema.def.defaultValue;
  return `\`${Array.isArray(value) ? value.join(',') : String(value)}\``;
}

/**
 * A Markdown table with every column padded to its widest cell, as Prettier prints it, so the generated file
 * passes `npm run format:check` unchanged.
 */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cells = [header, ...rows].map((row) => row.map(escapeCell));
  const widths = header.map((_, column) => Math.max(3, ...cells.map((row) => width(row[column] ?? ''))));
  const line = (row: readonly string[]) =>
    `| ${widths.map((w, column) => pad(row[column] ?? '', w)).join(' | ')} |`;
  const rule = `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`;
  const [head, ...body] = cells;
  return [line(head!), rule, ...body.map(line)].join('\n');
}

const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');

// Code points, not UTF-16 units: the text has no wide (CJK) characters, so each is one column, as for Prettier.
const width = (text: string) => [...text].length;

const pad = (text: string, to: number) => text + ' '.repeat(to - width(text));
