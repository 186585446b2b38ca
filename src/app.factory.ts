import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mercuriusUpload } from 'mercurius-upload';
import { AppModule } from './app.module.js';
import type { AppConfig } from './config/app-config.js';
import { LlmEngine } from './engines/llm/llm-engine.js';
import { AllExceptionsFilter } from './http/all-exceptions.filter.js';
import { MnemeFastifyAdapter } from './http/mneme-fastify.adapter.js';
import { ApiKeyAuth } from './http/api-key-auth.js';
import { registerRequestScope } from './http/request-scope.hook.js';
import { ServerLifecycle } from './http/server-lifecycle.js';
import { startTelemetry } from './telemetry/otel-sdk.js';

export interface CreateAppOptions {
  logger?: false | LogLevel[];
  /** Serve through this engine instead of the configured one. */
  llmEngine?: LlmEngine;
  /** Load the model before returning (default true); false only for schema printing. */
  loadModel?: boolean;
}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the whole server (not listening yet) with its model loaded. Used by main.ts and the e2e tests. */
export async function createApp(
  config: AppConfig,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  startTelemetry(config.telemetry);
  const auth = new ApiKeyAuth(config.auth.apiKeys);
  const lifecycle = new ServerLifecycle();
  const adapter = new MnemeFastifyAdapter({ bodyLimit: config.server.bodyLimitBytes });
  // GraphQL multipart uploads (images, audio); the byte limit is enforced again while reading each file.
  await adapter
    .getInstance()
    .register(mercuriusUpload, { maxFileSize: config.perception.maxMediaBytes + 1, maxFiles: 16 });
  registerRequestScope(adapter.getInstance(), {
    auth,
    lifecycle,
    requestTimeoutMs: config.server.requestTimeoutMs,
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot({ config, auth, lifecycle, llmEngine: options.llmEngine }),
    adapter,
    {
      logger: options.logger ?? levelsFrom(config.server.logLevel),
    },
  );
  // Registered here rather than as APP_FILTER: Nest's Fastify error handler (body too large, malformed JSON,
  // unknown routes) only consults filters registered on the application.
  app.useGlobalFilters(new AllExceptionsFilter());
  await app.init();
  if (options.loadModel !== false) await app.get(LlmEngine).load();
  return app;
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

function levelsFrom(level: AppConfig['server']['logLevel']): LogLevel[] {
  const nest: LogLevel = level === 'info' ? 'log' : level === 'trace' ? 'verbose' : level;
  return LEVELS.slice(0, LEVELS.indexOf(nest) + 1);
}
