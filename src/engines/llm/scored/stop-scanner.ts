/**
 * Finds stop strings in streamed text. Text that could be the start of a stop string is held back until the
 * next piece shows whether it is one, so a stop string is never streamed in part.
 */
export class StopScanner {
  private held = '';
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = Math.max(0, ...stops.map((s) => s.length));
  }

  /** Adds a piece; answers the text now safe to release, and whether a stop string ended the text. */
  push(piece: string): { release: string; stopped: boolean } {
    const text = this.held + piece;
    const at = this.firstStop(text);
    if (at !== undefined) {
      this.held = '';
      return { release: text.slice(0, at), stopped: true };
    }
    const keep = this.possibleStart(text);
    this.held = text.slice(text.length - keep);
    return { release: text.slice(0, text.length - keep), stopped: false };
  }

  /** What is still held back, once the text has ended without a stop string. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  private firstStop(text: string): number | undefined {
    let first: number | undefined;
    for (const stop of this.stops) {
      const at = stop === '' ? -1 : text.indexOf(stop);
      if (at >= 0 && (first === undefined || at < first)) first = at;
    }
    return first;
  }

  /** The length of the longest end of `text` that some stop string starts with. */
  private possibleStart(text: string): number {
    for (let k = Math.min(this.longest - 1, text.length); k > 0; k--) {
      const end = text.slice(text.length - k);
      if (this.stops.some((s) => s.startsWith(end))) return k;
    }
    return 0;
  }
}
