import { Logger } from '@nestjs/common';
import type { Context, Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelledError, deadlineError, shuttingDownError } from '../common/abort.js';
import type { CallContext } from '../common/call-context.js';
import { contextWithSpan, endSpan, incomingTrace, startSpan, traceIdOf } from '../telemetry/tracing.js';
import type { ApiKeyAuth } from './api-key-auth.js';
import { errorResponse, toClientError } from './error-response.js';
import type { ServerLifecycle } from './server-lifecycle.js';

/** What the transport knows about a request before any handler runs. */
export interface RequestScope {
  span: Span;
  trace: Context;
  traceId: string | undefined;
  /** Undefined on public routes and on WebSocket upgrades (those authenticate in connection_init). */
  tenant: string | undefined;
  signal: AbortSignal;
}

declare module 'fastify' {
  interface FastifyRequest {
    mneme: RequestScope | undefined;
  }
}

const logger = new Logger('Http');

const PUBLIC = /^\/(healthz|readyz|metrics|graphiql)(\/|\?|$)/;
const PROBES = /^\/(healthz|readyz|metrics)(\?|$)/;

export interface RequestScopeDeps {
  auth: ApiKeyAuth;
  lifecycle: ServerLifecycle;
  requestTimeoutMs: number;
}

/**
 * One Fastify hook gives every HTTP request (REST and GraphQL alike) its span, its tenant, and a signal that
 * aborts on client disconnect or deadline. Registered on the adapter before Nest so it precedes every route.
 */
export function registerRequestScope(fastify: FastifyInstance, deps: RequestScopeDeps): void {
  fastify.decorateRequest('mneme', undefined);

  fastify.addHook('onRequest', (request, reply, done) => {
    // A caller that sends traceparent (another Mneme using this one as its LLM backend) continues its trace.
    const parent = incomingTrace(request.headers);
    const span = startSpan(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`, parent, {
      'http.request.method': request.method,
      'url.path': request.url.split('?')[0] ?? request.url,
    });
    const trace = contextWithSpan(span, parent);
    const traceId = traceIdOf(trace);
    const controller = new AbortController();
    const scope: RequestScope = { span, trace, traceId, tenant: undefined, signal: controller.signal };
    request.mneme = scope;
    const timer = setTimeout(
      () => controller.abort(deadlineError(deps.requestTimeoutMs)),
      deps.requestTimeoutMs,
    );
    timer.unref();
    // 'close' fires once per response, finished or not: the one place that ends the span and spots a client
    // that left early (hijacked SSE replies skip Fastify's onResponse hooks).
    reply.raw.once('close', () => {
      clearTimeout(timer);
      if (!reply.raw.writableFinished) controller.abort(cancelledError());
      span.setAttribute('http.response.status_code', reply.raw.statusCode);
      endSpan(span);
    });
    if (traceId) void reply.header('x-trace-id', traceId);
    try {
      if (deps.lifecycle.draining && !PROBES.test(request.url)) throw shuttingDownError();
      const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
      if (!PUBLIC.test(request.url) && !upgrade)
        scope.tenant = deps.auth.tenantFor(request.headers.authorization);
      done();
    } catch (error) {
      sendError(request, reply, error);
    }
  });
}

/** Sends an error in the shape of the request's surface. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): void {
  const traceId = request.mneme?.traceId;
  const clientError = toClientError(error, traceId);
  if (clientError !== error)
    logger.error(`${request.method} ${request.url} failed (trace ${traceId ?? '-'})`, error);
  const { status, headers, body } = errorResponse(request.url, clientError, traceId);
  void reply.code(status).headers(headers).send(body);
}

/** The CallContext of an authenticated request. */
export function callContextOf(request: FastifyRequest): CallContext {
  const scope = request.mneme;
  if (!scope?.tenant)
    throw new Error(`No tenant on ${request.method} ${request.url}: route is not authenticated`);
  return { tenant: scope.tenant, signal: scope.signal, trace: scope.trace };
}
