import { Logger, type DynamicModule, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { LlmEngine } from './engines/llm/llm-engine.js';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { MnemeFastifyAdapter } from './http/mneme-fastify.adapter.js';
import { closeRedisClient, createRedisClient, type RedisClient } from './engines/redis/redis-client.js';
import { registerGraphqlHttpGuard } from './graphql/graphql-http-guard.js';
import { ApiKeyAuth } from './http/api-key-auth.js';
import { registerGraphqlUploads } from './http/graphql-uploads.js';
import { RateLimits } from './engines/rate-limit/rate-limits.js';
import { registerRequestScope } from './http/request-scope.hook.js';
import { ServerLifecycle } from './http/server-lifecycle.js';
import { watchPressure } from './http/server-pressure.js';
import { Headroom } from './telemetry/headroom.js';
import { registerGraphqlSockets } from './http/graphql-sockets.js';
import { SocketGuard } from './http/socket-guard.js';
import { startTelemetry } from './telemetry/otel-sdk.js';

export interface CreateAppOptions {
  logger?: false | LogLevel[];
  /** Load the model before returning (default true); false only for schema printing. */
  loadModel?: boolean;
}

/** What Nest builds the server from: the root module, and the Fastify adapter with Mneme's hooks registered. */
export interface ServerParts {
  module: DynamicModule;
  adapter: MnemeFastifyAdapter;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the whole server (not listening yet) with its model loaded. Used by main.ts, scripts and benches. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const { module, adapter } = await serverParts(config);
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    logger: options.logger ?? levelsFrom(config.server.logLevel),
  });
  await finishApp(app, options);
  return app;
}

/**
 * The first half of createApp: Fastify with uploads, guards, sockets, the request scope and the pressure watch,
 * and the root module wired to the objects those hooks share with Nest. (Tests build the Nest half with
 * @nestjs/testing to override a provider, then call finishApp.)
 */
export async function serverParts(config: AppConfig): Promise<ServerParts> {
  startTelemetry(config.telemetry);
  const auth = new ApiKeyAuth(config.auth.apiKeys);
  const lifecycle = new ServerLifecycle();
  const redis = rateLimitRedis(config);
  const rateLimits = new RateLimits(config.limits.rate, redis);
  const headroom = new Headroom(config.limits.pressure);
  const sockets = new SocketGuard(auth, config.limits.sockets);
  const adapter = new MnemeFastifyAdapter({ bodyLimit: config.server.bodyLimitBytes });
  const fastify = adapter.getInstance();
  const { imagesPerRequest, audioPerRequest, maxMediaBytes } = config.perception;
  // GraphQL multipart uploads (images, audio); the byte limit is enforced again while reading each file.
  registerGraphqlUploads(fastify, {
    path: GRAPHQL_PATH,
    maxFileBytes: maxMediaBytes + 1,
    maxFiles: imagesPerRequest + audioPerRequest,
    maxFilesSetting: 'MNEME_IMAGES_PER_REQUEST + MNEME_AUDIO_PER_REQUEST',
    maxFieldBytes: 1024 * 1024,
  });
  registerGraphqlHttpGuard(fastify, GRAPHQL_PATH);
  // Memory archives stream in: the import route reads the body itself, with its own bound.
  fastify.addContentTypeParser('application/x-ndjson', (_request, payload, done) => done(null, payload));
  // Before the request scope: its hooks mark an Upgrade request as one, so a refused upgrade's socket is closed
  // after the refusal instead of staying half-open for good.
  await registerGraphqlSockets(fastify, sockets, { maxPayloadBytes: 1024 * 1024 });
  registerRequestScope(fastify, {
    auth,
    lifecycle,
    rateLimits,
    sockets,
    requestTimeoutMs: config.server.requestTimeoutMs,
    archiveTimeoutMs: config.server.archive.timeoutMs,
    socketPath: GRAPHQL_PATH,
  });
  await watchPressure(fastify, headroom);
  if (redis) fastify.addHook('onClose', () => closeRedisClient(redis));
  const module = AppModule.forRoot({ config, auth, lifecycle, rateLimits, headroom, sockets });
  return { module, adapter };
}

/** The second half of createApp: the global filter, module init, and the model loaded unless told not to. */
export async function finishApp(
  app: NestFastifyApplication,
  options: Pick<CreateAppOptions, 'loadModel'> = {},
): Promise<void> {
  // Registered here rather than as APP_FILTER: Nest's Fastify error handler (body too large, malformed JSON,
  // unknown routes) only consults filters registered on the application.
  app.useGlobalFilters(new AllExceptionsFilter());
  await app.init();
  if (options.loadModel !== false) await app.get(LlmEngine).load();
}

/** Graceful stop: refuse new work, let in-flight generations finish within the grace period, then release all. */
export async function shutdownApp(app: NestFastifyApplication, graceMs: number): Promise<void> {
  const logger = new Logger('Shutdown');
  app.get(ServerLifecycle).startDraining();
  logger.log(`Draining: new requests get 503; waiting up to ${graceMs} ms for in-flight generations`);
  await app.get(LlmEngine).drain(graceMs);
  await app.close();
  logger.log('Stopped');
}

const GRAPHQL_PATH = '/graphql';

/** Rate limits share Redis with working memory when it is configured, so replicas count one budget per key. */
function rateLimitRedis(config: AppConfig): RedisClient | undefined {
  const { redisUrl, redisTimeoutMs } = config.memory.working;
  if (!redisUrl) return undefined;
  const logger = new Logger('RateLimits');
  let down = false;
  return createRedisClient({
    url: redisUrl,
    timeoutMs: redisTimeoutMs,
    onError: (error) => {
      if (!down)
        logger.warn(`Redis unreachable (${error.message}); counting in this process until it is back`);
      down = true;
    },
    onReady: () => (down = false),
  });
}

function levelsFrom(level: AppConfig['server']['logLevel']): LogLevel[] {
  const nest: LogLevel = level === 'info' ? 'log' : level === 'trace' ? 'verbose' : level;
  return LEVELS.slice(0, LEVELS.indexOf(nest) + 1);
}
