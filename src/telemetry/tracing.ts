import {
  ROOT_CONTEXT,
  trace,
  SpanStatusCode,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { ErrorCode } from '../common/error-codes.js';
import { isMnemeError } from '../common/mneme-error.js';

const tracer = trace.getTracer('mneme');

export function startSpan(name: string, parent: Context, attributes: Attributes = {}): Span {
  return tracer.startSpan(name, { attributes }, parent);
}

export function contextWithSpan(span: Span, parent: Context): Context {
  return trace.setSpan(parent, span);
}

/** Set on spans whose caller went away: a cancellation is neither an error nor a latency. */
export const CANCELLED_ATTRIBUTE = 'mneme.cancelled';

/** Ends a span, marking it failed when an error is given, or cancelled when the client left. */
export function endSpan(span: Span, error?: unknown): void {
  if (isCancellation(error)) {
    span.setAttribute(CANCELLED_ATTRIBUTE, true);
  } else if (error !== undefined) {
    const failure = error instanceof Error ? error : new Error(JSON.stringify(error));
    span.recordException(failure);
    span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
  }
  span.end();
}

/** Runs `fn` inside a child span of `parent`, ending it on success or failure. */
export async function withSpan<T>(
  name: string,
  parent: Context,
  attributes: Attributes,
  fn: (span: Span, ctx: Context) => Promise<T>,
): Promise<T> {
  const span = startSpan(name, parent, attributes);
  try {
    const result = await fn(span, contextWithSpan(span, parent));
    endSpan(span);
    return result;
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
}

const NO_TRACE = '00000000000000000000000000000000';

/** The trace id of a context, or undefined when telemetry is off. */
export function traceIdOf(ctx: Context): string | undefined {
  const id = trace.getSpanContext(ctx)?.traceId;
  return id && id !== NO_TRACE ? id : undefined;
}

// W3C trace context, used explicitly (not via the global propagator) so it works however telemetry is set up.
const w3c = new W3CTraceContextPropagator();
const headerSetter = {
  set: (carrier: Record<string, string>, key: string, value: string) => {
    carrier[key] = value;
  },
};
const headerGetter = {
  keys: (carrier: Record<string, string | string[] | undefined>) => Object.keys(carrier),
  get: (carrier: Record<string, string | string[] | undefined>, key: string) => carrier[key],
};

/** Headers that continue `ctx`'s trace in the service they are sent to (traceparent, tracestate). */
export function traceHeaders(ctx: Context): Record<string, string> {
  const headers: Record<string, string> = {};
  w3c.inject(ctx, headers, headerSetter);
  return headers;
}

/** The caller's trace from incoming headers, so a request from another service joins its trace. */
export function incomingTrace(headers: Record<string, string | string[] | undefined>): Context {
  return w3c.extract(ROOT_CONTEXT, headers, headerGetter);
}

/** A client that closed its connection (or unsubscribed) cancelled the work; the server did not fail. */
export function isCancellation(error: unknown): boolean {
  return isMnemeError(error) && error.code === ErrorCode.CANCELLED;
}
