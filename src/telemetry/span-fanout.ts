import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { SpanStatusCode } from '@opentelemetry/api';
import type { EndedSpan } from './slo/stage-samples.js';
import { CANCELLED_ATTRIBUTE } from './tracing.js';

/**
 * A span processor that hands every finished span, as plain data, to the listeners registered at the time: the
 * SDK is process-wide, while SLO trackers come and go with the Nest apps that own them.
 */
export class SpanFanout implements SpanProcessor {
  private readonly listeners = new Set<(span: EndedSpan) => void>();

  /** Answers the function that removes the listener. */
  listen(listener: (span: EndedSpan) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onStart(_span: Span, _context: Context): void {}

  onEnd(span: ReadableSpan): void {
    if (this.listeners.size === 0) return;
    const [seconds, nanos] = span.duration;
    const ended: EndedSpan = {
      name: span.name,
      durationMs: seconds * 1000 + nanos / 1e6,
      failed: span.status.code === SpanStatusCode.ERROR,
      cancelled: span.attributes[CANCELLED_ATTRIBUTE] === true,
      attributes: span.attributes,
    };
    for (const listener of this.listeners) listener(ended);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
