import { z } from 'zod';

/** The items of a comma-separated value, trimmed, blanks dropped: `' a, ,b '` → `['a', 'b']`. */
export function splitCommaList(raw: string): string[] {
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** A comma-separated variable, parsed into its items; chain `.transform` to check or map each one. */
export const commaList = () => z.string().transform(splitCommaList);
