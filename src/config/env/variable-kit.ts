import { z } from 'zod';

// What every section of the environment schema is built from.

/** What docs/configuration.md says of a variable. */
export interface VariableDoc {
  /** One line for the table. */
  meaning: string;
  /** The default in words, where boot computes it; otherwise the docs show the schema's own default. */
  default?: string;
  /** What does not fit a table cell; printed below the section's table. */
  details?: string;
}

/** Every variable's documentation, registered on its schema below: the one source of the configuration docs. */
export const variableDocs = z.registry<VariableDoc>();

// Decimal digits only: coercion would read ' ' as 0 and '0x1F90' as 8080.
export const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const boolFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const ON_UNLESS_PRODUCTION = 'on unless `NODE_ENV=production`';

/** The ONNX weights' precision, for every transformers.js model setting. */
export const onnxDtype = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4']);
