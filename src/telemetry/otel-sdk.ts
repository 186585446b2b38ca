import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';

export interface TelemetryOptions {
  serviceName: string;
  otlpEndpoint: string | undefined;
  /** Extra processors (tests add an in-memory exporter here). */
  extraProcessors?: SpanProcessor[];
}

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry Node SDK. Must run before Nest is created so the tracer provider is global by the
 * time the first request arrives. Traces always get real ids (they are returned to clients); they leave the
 * process only when an OTLP endpoint is configured.
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (sdk) return;
  // NodeSDK builds OTLP metric and log exporters from the environment unless told not to; Mneme exports traces only.
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const processors: SpanProcessor[] = [...(options.extraProcessors ?? [])];
  if (options.otlpEndpoint) {
    const url = `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`;
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter({ url })));
  }
  // NodeSDK registers no tracer provider when it has no processor, and then trace ids are all zeros.
  if (processors.length === 0) processors.push(new NoopSpanProcessor());
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: options.serviceName,
      [ATTR_SERVICE_VERSION]: '0.1.0',
    }),
    // Without this, spans wait on host/process resource detection before reaching exporters.
    resourceDetectors: [],
    spanProcessors: processors,
    instrumentations: [],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  await running?.shutdown();
}
