/**
 * Whether loading a saved state beats evaluating its tokens again, from what this process has measured: prompt
 * evaluation in ms per token and state loading in ms per byte, each a moving average. Until a load has been
 * measured, loading is assumed to win, so the first chance to measure it is taken.
 */
export class RestoreCost {
  private evalMsPerToken: number | undefined;
  private loadMsPerByte: number | undefined;

  constructor(private readonly weight = 0.2) {}

  observeEvaluation(tokens: number, ms: number): void {
    if (tokens >= 16) this.evalMsPerToken = this.average(this.evalMsPerToken, ms / tokens);
  }

  observeLoad(bytes: number, ms: number): void {
    if (bytes > 0) this.loadMsPerByte = this.average(this.loadMsPerByte, ms / bytes);
  }

  /** True when loading `bytes` is expected to take less time than evaluating `tokens`. */
  loadIsCheaper(bytes: number, tokens: number): boolean {
    if (this.loadMsPerByte === undefined || this.evalMsPerToken === undefined) return true;
    return bytes * this.loadMsPerByte < tokens * this.evalMsPerToken;
  }

  private average(previous: number | undefined, sample: number): number {
    return previous === undefined ? sample : previous + this.weight * (sample - previous);
  }
}
