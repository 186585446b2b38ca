import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import type { LimitsConfig } from '../config/limits.config.js';

/** What the process measures of itself, sampled by the transport (http/server-pressure). */
export interface PressureReading {
  rssBytes: number;
  eventLoopDelay: number;
}

/**
 * The server-wide guard: past the resident-memory or event-loop-delay threshold, new heavy work (asks, chats,
 * media) is refused with OVERLOADED before the process is in danger, while probes, reads of state and work
 * already admitted carry on. Without a probe attached (thresholds off, or no transport) it refuses nothing.
 */
export class Headroom {
  private read: (() => PressureReading) | undefined;

  constructor(readonly limits: LimitsConfig['pressure']) {}

  get enabled(): boolean {
    return this.limits.maxRssBytes > 0 || this.limits.maxEventLoopDelayMs > 0;
  }

  attachProbe(read: () => PressureReading): void {
    this.read = read;
  }

  /** Throws OVERLOADED (with Retry-After) while the server is past a threshold. */
  assert(work: string): void {
    const reading = this.read?.();
    const over = reading && this.over(reading);
    if (!over) return;
    throw new MnemeError(
      ErrorCode.OVERLOADED,
      `The server is under pressure (${over}); new ${work} is refused until it recovers. Retry shortly.`,
      { retryAfterSeconds: 5, details: { pressure: over } },
    );
  }

  private over({ rssBytes, eventLoopDelay }: PressureReading): string | undefined {
    const { maxRssBytes, maxEventLoopDelayMs } = this.limits;
    if (maxRssBytes > 0 && rssBytes > maxRssBytes)
      return `resident memory ${mb(rssBytes)} over ${mb(maxRssBytes)}, MNEME_PRESSURE_MAX_RSS_BYTES`;
    if (maxEventLoopDelayMs > 0 && eventLoopDelay > maxEventLoopDelayMs)
      return `event-loop delay ${Math.round(eventLoopDelay)} ms over ${maxEventLoopDelayMs} ms, MNEME_PRESSURE_MAX_EVENT_LOOP_DELAY_MS`;
    return undefined;
  }
}

function mb(bytes: number): string {
  return `${Math.round(bytes / 1024 / 1024)} MB`;
}
