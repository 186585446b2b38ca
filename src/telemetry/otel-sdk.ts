import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { PeriodicExportingMetricReader, type IMetricReader } from '@opentelemetry/sdk-metrics';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanFanout } from './span-fanout.js';

// The only file that configures the OpenTelemetry SDK (tracer and meter providers, exporters).

export interface TelemetryOptions {
  serviceName: string;
  otlpEndpoint: string | undefined;
  metricExportIntervalMs?: number;
  /** Off: no SDK at all (spans are no-ops), to measure what telemetry costs. */
  enabled: boolean;
  /** Serve the meters as Prometheus text (see metricsHandler). */
  metrics: boolean;
  /** Extra processors (tests add an in-memory exporter here). */
  extraProcessors?: SpanProcessor[];
}

let sdk: NodeSDK | undefined;
let prometheus: PrometheusExporter | undefined;

/** Every finished span, to whoever listens (the SLO tracker); one per process, like the SDK. */
export const spanFanout = new SpanFanout();

/**
 * Starts the OpenTelemetry Node SDK. Must run before Nest is created so the tracer and meter providers are
 * global by the time the first request arrives. Traces always get real ids (they are returned to clients); they
 * leave the process only when an OTLP endpoint is configured, and so do metrics (OTEL_METRIC_EXPORT_INTERVAL).
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (sdk || !options.enabled) return;
  // NodeSDK builds OTLP exporters from the environment unless told not to; Mneme configures its own.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const endpoint = options.otlpEndpoint?.replace(/\/$/, '');
  const processors: SpanProcessor[] = [spanFanout, ...(options.extraProcessors ?? [])];
  if (endpoint)
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint}/v1/traces` })));
  if (processors.length === 0) processors.push(new NoopSpanProcessor());
  const readers: IMetricReader[] = [];
  if (options.metrics) {
    // Served by Mneme's own HTTP server at /metrics, not on a second port.
    prometheus = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true });
    readers.push(prometheus);
  }
  if (endpoint) {
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter({ url: `${endpoint}/v1/metrics` }),
        exportIntervalMillis: options.metricExportIntervalMs ?? 15_000,
      }),
    );
  }
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: '0.1.0',
    }),
    // Without this, spans wait on host/process resource detection before reaching exporters.
    resourceDetectors: [],
    spanProcessors: processors,
    // Mneme hands trace context along explicitly (CallContext.trace), never through context.active(): the
    // AsyncLocalStorage context manager NodeSDK installs by default would tax every promise in the process.
    contextManager: new ExplicitContextOnly(),
    metricReaders: readers,
    instrumentations: [],
  });
  sdk.start();
}

/** A context manager that keeps no ambient context: active() is always the root. */
class ExplicitContextOnly implements ContextManager {
  active(): Context {
    return ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    _context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return fn.call(thisArg, ...args);
  }
  bind<T>(_context: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    return this;
  }
}

/** Writes the Prometheus text exposition of every meter; undefined when metrics are off. */
export function metricsHandler(): ((request: IncomingMessage, response: ServerResponse) => void) | undefined {
  const exporter = prometheus;
  return exporter && ((request, response) => exporter.getMetricsRequestHandler(request, response));
}

export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  prometheus = undefined;
  await running?.shutdown();
}
