import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import type { LimitsConfig } from '../config/limits.config.js';

/** What the process measures of itself, sampled by the transport (http/server-pressure). */
export interface PressureReading {
  rssBytes: number;
  eventLoopDelay: number;
}

/**
 * Event-loop delay refuses work only once it has stayed over the limit this long. One long block (booting, a
 * model load, a large collection) is not overload, and refusing after it turned a just-started server away for
 * a second; sustained delay is, and is seen within a few seconds.
 */
export const SUSTAINED_DELAY_MS = 2000;
const SAMPLE_MS = 1000;

/**
 * The server-wide guard: past the resident-memory threshold (at once) or the event-loop-delay threshold (held for
 * SUSTAINED_DELAY_MS), new heavy work (asks, chats, media) is refused with OVERLOADED before the process is in
 * danger, while probes, reads of state and work already admitted carry on. Without a probe attached (thresholds
 * off, or no transport) it refuses nothing.
 */
export class Headroom {
  private read: (() => PressureReading) | undefined;
  private delayOverSince: number | undefined;
  private sampler: NodeJS.Timeout | undefined;

  constructor(
    readonly limits: LimitsConfig['pressure'],
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.limits.maxRssBytes > 0 || this.limits.maxEventLoopDelayMs > 0;
  }

  /** Reads the probe on each request and, for the delay's duration, once a second until detached. */
  attachProbe(read: () => PressureReading): void {
    this.detach();
    this.read = read;
    this.sampler = setInterval(() => this.sampleDelay(), SAMPLE_MS).unref();
  }

  detach(): void {
    clearInterval(this.sampler);
    this.sampler = undefined;
  }

  /** Throws OVERLOADED (with Retry-After) while the server is past a threshold. */
  assert(work: string): void {
    const reading = this.read?.();
    const over = reading && (this.rssOver(reading) ?? this.delayOver(reading));
    if (!over) return;
    throw new MnemeError(
      ErrorCode.OVERLOADED,
      `The server is under pressure (${over}); new ${work} is refused until it recovers. Retry shortly.`,
      { retryAfterSeconds: 5, details: { pressure: over } },
    );
  }

  /** One sample of the delay: starts or ends the stretch over the limit. */
  sampleDelay(): void {
    const reading = this.read?.();
    const over = reading !== undefined && this.delayPastLimit(reading);
    if (!over) this.delayOverSince = undefined;
    else this.delayOverSince ??= this.now();
  }

  private rssOver({ rssBytes }: PressureReading): string | undefined {
    const { maxRssBytes } = this.limits;
    if (maxRssBytes > 0 && rssBytes > maxRssBytes)
      return `resident memory ${mb(rssBytes)} over ${mb(maxRssBytes)}, MNEME_PRESSURE_MAX_RSS_BYTES`;
    return undefined;
  }

  private delayOver(reading: PressureReading): string | undefined {
    const since = this.delayOverSince;
    if (since === undefined || this.now() - since < SUSTAINED_DELAY_MS) return undefined;
    if (!this.delayPastLimit(reading)) return undefined;
    const seconds = Math.round((this.now() - since) / 1000);
    return `event-loop delay ${Math.round(reading.eventLoopDelay)} ms over ${this.limits.maxEventLoopDelayMs} ms for ${seconds} s, MNEME_PRESSURE_MAX_EVENT_LOOP_DELAY_MS`;
  }

  private delayPastLimit({ eventLoopDelay }: PressureReading): boolean {
    const limit = this.limits.maxEventLoopDelayMs;
    return limit > 0 && eventLoopDelay > limit;
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
