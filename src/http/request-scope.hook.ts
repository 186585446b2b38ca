import { Logger } from '@nestjs/common';
import type { Context, Span } from '@opentelemetry/api';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { cancelledError, deadlineError, shuttingDownError } from '../common/abort.js';
import type { CallContext } from '../common/call-context.js';
import { contextWithSpan, endSpan, incomingTrace, startSpan, traceIdOf } from '../telemetry/tracing.js';
import type { ApiKeyAuth } from './api-key-auth.js';
import { errorResponse, toClientError } from './error-response.js';
import type { RateLimits } from '../engines/rate-limit/rate-limits.js';
import type { ServerLifecycle } from './server-lifecycle.js';
import type { SocketGuard } from './socket-guard.js';

/** What the transport knows about a request before any handler runs. */
export interface RequestScope {
  span: Span;
  trace: Context;
  traceId: string | undefined;
  /** Undefined on public routes and on the GraphQL socket's upgrade (it authenticates in connection_init). */
  tenant: string | undefined;
  /** The key's fingerprint (CallContext.actor), with the tenant. */
  actor?: string;
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
const ARCHIVE = /^\/v1\/memory\//;

export interface RequestScopeDeps {
  auth: ApiKeyAuth;
  lifecycle: ServerLifecycle;
  rateLimits: RateLimits;
  sockets: SocketGuard;
  requestTimeoutMs: number;
  /** Memory archives stream for longer: routes under /v1/memory/ get this deadline instead. */
  archiveTimeoutMs: number;
  /** The route GraphQL WebSockets connect to. */
  socketPath: string;
}

/**
 * One Fastify hook gives every HTTP request (REST and GraphQL alike) its span, its tenant, and a signal that
 * aborts on client disconnect or deadline. Registered on the adapter before Nest so it precedes every route.
 * Authentication is by route: only public probes skip it, and only the GraphQL socket route defers it (to
 * connection_init, which the socket guard checks); an Upgrade header elsewhere changes nothing.
 */
export function registerRequestScope(fastify: FastifyInstance, deps: RequestScopeDeps): void {
  fastify.decorateRequest('mneme', undefined);

  fastify.addHook('onRequest', async (request, reply) => {
    const timeoutMs = ARCHIVE.test(pathOf(request.url)) ? deps.archiveTimeoutMs : deps.requestTimeoutMs;
    const scope = openScope(request, reply, timeoutMs);
    try {
      if (deps.lifecycle.draining && !PROBES.test(request.url)) throw shuttingDownError();
      if (isSocketUpgrade(request, deps.socketPath)) {
        deps.sockets.admitUpgrade(request.raw);
        // A handshake that fails answers over HTTP: its place is given back when that answer is done.
        reply.raw.once('close', () => deps.sockets.releaseUpgrade(request.raw));
      } else if (!PUBLIC.test(request.url)) {
        const holder = deps.auth.callerFor(request.headers.authorization);
        scope.tenant = holder.tenant;
        scope.actor = holder.actor;
        await deps.rateLimits.admitRequest(scope.tenant);
      }
    } catch (error) {
      sendError(request, reply, error);
      return reply;
    }
    return undefined;
  });
}

/** The request's span, trace id and abort signal (client disconnect or deadline). */
function openScope(request: FastifyRequest, reply: FastifyReply, timeoutMs: number): RequestScope {
  // A caller that sends traceparent (another Mneme using this one as its LLM backend) continues its trace.
  const parent = incomingTrace(request.headers);
  const span = startSpan(`${request.method} ${request.routeOptions.url ?? 'unmatched'}`, parent, {
    'http.request.method': request.method,
    'url.path': pathOf(request.url),
  });
  const trace = contextWithSpan(span, parent);
  const traceId = traceIdOf(trace);
  const controller = new AbortController();
  const scope: RequestScope = { span, trace, traceId, tenant: undefined, signal: controller.signal };
  request.mneme = scope;
  const timer = setTimeout(() => controller.abort(deadlineError(timeoutMs)), timeoutMs);
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
  return scope;
}

/** A real upgrade (Node saw Connection: Upgrade too, so no HTTP handler answers it) to the socket route. */
function isSocketUpgrade(request: FastifyRequest, socketPath: string): boolean {
  return request.method === 'GET' && isUpgrade(request) && pathOf(request.url) === socketPath;
}

/** Node's own verdict (IncomingMessage.upgrade, set by its parser; missing from the typings). */
export function isUpgrade(request: FastifyRequest): boolean {
  return (request.raw as { upgrade?: boolean }).upgrade === true;
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
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
export function requestCallContext(request: FastifyRequest): CallContext {
  const scope = request.mneme;
  if (!scope?.tenant)
    throw new Error(`No tenant on ${request.method} ${request.url}: route is not authenticated`);
  return { tenant: scope.tenant, signal: scope.signal, trace: scope.trace, actor: scope.actor };
}
