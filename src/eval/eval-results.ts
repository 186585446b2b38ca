import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One item's outcome, one JSON line of `<suite>.results.jsonl`. */
export interface ItemResult {
  id: string;
  type?: string;
  expected: string;
  prediction: string;
  extracted: string | null;
  correct: boolean;
  /** The path that answered (fast, medium, deep). */
  path: string;
  latencyMs: number;
  promptTokens: number;
  completionTokens: number;
}

/**
 * The results file of a run: read at the start (a rerun skips the ids in it), appended to as each item ends,
 * so a run stopped anywhere (Ctrl-C, kill, crash) loses at most the items under way. A last line cut short by
 * a kill is ignored.
 */
export class ResultsFile {
  readonly done = new Map<string, ItemResult>();

  constructor(private readonly file: string) {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    for (const line of text.split('\n')) {
      try {
        const result = JSON.parse(line) as ItemResult;
        if (typeof result.id === 'string') this.done.set(result.id, result);
      } catch {
        // a blank line, or the last one, cut short
      }
    }
    // Start on a fresh line after a cut one.
    if (text !== '' && !text.endsWith('\n')) appendFileSync(file, '\n');
  }

  add(result: ItemResult): void {
    this.done.set(result.id, result);
    appendFileSync(this.file, `${JSON.stringify(result)}\n`);
  }
}
