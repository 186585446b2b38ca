import type { GenerationScores, TokenChoice, TokenLogprob } from '../llm-engine.js';
import { StopScanner } from './stop-scanner.js';
import { splitBytes } from './token-bytes.js';
import { likeliest, logprobsOf, minEntropy, type StepScores } from './token-scores.js';

/** What the answer needs from the model: the text of tokens, following what precedes them. */
export type Detokenize = (tokens: number[], before: number[]) => string;

export interface StreamOptions {
  /** Strings that end the answer (not included in it). */
  stop: readonly string[];
  /** Token runs that end the answer: the chat template's end-of-turn markers. */
  stopRuns: readonly (readonly number[])[];
  /** Alternatives reported per token. */
  top: number;
  /** Released text with the scores of the tokens it holds. */
  onText: (text: string, logprobs: TokenLogprob[]) => void;
}

// A character spans at most four UTF-8 bytes, so at most four byte-level tokens.
const MAX_PARTIAL = 4;

interface Placed {
  entry: TokenLogprob;
  /** Where the token's text starts and ends in the answer's text before stop strings are cut. */
  start: number;
  end: number;
}

/**
 * The answer as it grows from sampled tokens: tokens that could begin an end-of-turn run are held until the run
 * completes (the answer ends, without them) or breaks; tokens whose text is part of a character are held until it
 * is whole; text that could begin a stop string is held by the StopScanner. Scores travel with their text.
 */
export class ScoredStream {
  readonly generated: number[] = [];
  text = '';
  private readonly scanner: StopScanner;
  private readonly tokens: TokenLogprob[] = [];
  private runHeld: StepScores[] = [];
  private partial: { token: number; entry: TokenLogprob }[] = [];
  private unreleased: Placed[] = [];
  private written = 0;
  private released = 0;
  private entropySum = 0;
  private scored = 0;

  constructor(
    private readonly options: StreamOptions,
    private readonly detokenize: Detokenize,
  ) {
    this.scanner = new StopScanner(options.stop);
  }

  /** Adds a sampled token: 'end' when it completed an end-of-turn run, 'stop' when a stop string ended the text. */
  add(step: StepScores): 'more' | 'end' | 'stop' {
    this.runHeld.push(step);
    // Tokens that can no longer begin a run go into the answer, oldest first.
    while (this.runHeld.length > 0 && !this.beginsRun(this.runHeld)) {
      if (this.accept(this.runHeld.shift()!)) return 'stop';
    }
    const held = this.runHeld.map((s) => s.token);
    if (!this.options.stopRuns.some((run) => sameTokens(run, held))) return 'more';
    this.runHeld = []; // the end-of-turn marker is not part of the answer
    return 'end';
  }

  /** Ends the answer (no end-of-turn run completed): releases what is held; true when a stop string ended it. */
  finish(): boolean {
    for (const step of this.runHeld.splice(0)) if (this.accept(step)) return true;
    if (this.partial.length > 0) {
      // A character still incomplete is dropped from the text (as LlamaChat does); its tokens keep their scores.
      if (this.complete(this.pieceOfPartial().replace(/\uFFFD+$/u, ''))) return true;
    }
    this.release(this.scanner.flush(), 'last');
    return false;
  }

  scores(): GenerationScores {
    return { tokens: this.tokens, meanEntropy: this.scored > 0 ? this.entropySum / this.scored : 0 };
  }

  private beginsRun(held: StepScores[]): boolean {
    return this.options.stopRuns.some(
      (run) => run.length >= held.length && held.every((s, i) => run[i] === s.token),
    );
  }

  /** A token into the answer; true when a stop string ended it. */
  private accept(step: StepScores): boolean {
    const before = this.generated.slice(-MAX_PARTIAL);
    this.generated.push(step.token);
    const logprobs = logprobsOf(step);
    this.entropySum += minEntropy(logprobs.values());
    this.scored++;
    const choice = (token: number): TokenChoice => {
      const text = this.detokenize([token], before);
      return {
        token: text,
        logprob: logprobs.get(token) ?? -Infinity,
        bytes: [...Buffer.from(text, 'utf8')],
      };
    };
    const entry = {
      ...choice(step.token),
      top: likeliest(logprobs, this.options.top).map(([t]) => choice(t)),
    };
    this.partial.push({ token: step.token, entry });
    const piece = this.pieceOfPartial();
    if (piece.endsWith('\uFFFD') && this.partial.length < MAX_PARTIAL) return false;
    return this.complete(piece);
  }

  private pieceOfPartial(): string {
    const tokens = this.partial.map((p) => p.token);
    return this.detokenize(tokens, this.generated.slice(0, -tokens.length).slice(-MAX_PARTIAL));
  }

  /** The held partial tokens spell `piece`: place them, and pass the text on to the stop scanner. */
  private complete(piece: string): boolean {
    const start = this.written;
    this.written += piece.length;
    const entries = this.partial.map((p) => p.entry);
    if (piece !== '')
      splitBytes(
        piece,
        entries.map((e) => e.token),
      ).forEach((b, i) => (entries[i]!.bytes = b));
    for (const entry of entries) this.unreleased.push({ entry, start, end: this.written });
    this.partial = [];
    const { release, stopped } = this.scanner.push(piece);
    this.release(release, stopped ? 'stopped' : 'more');
    return stopped;
  }

  /**
   * Streams `text` with the scores of the tokens it holds: whole ones as it goes; at a stop string, every token
   * whose text began before it; at the end, all.
   */
  private release(text: string, mode: 'more' | 'stopped' | 'last'): void {
    if (text === '' && mode === 'more') return;
    this.released += text.length;
    this.text += text;
    const taken = (p: Placed) =>
      mode === 'last' || (mode === 'stopped' ? p.start < this.released : p.end <= this.released);
    const ready = this.unreleased.filter(taken).map((p) => p.entry);
    this.unreleased = this.unreleased.filter((p) => !taken(p));
    this.tokens.push(...ready);
    if (text !== '' || ready.length > 0) this.options.onText(text, ready);
  }
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
