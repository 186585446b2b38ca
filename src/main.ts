import 'reflect-metadata';
import { ConfigError, loadConfig, type AppConfig } from './config/app-config.js';
import { unknownVariableWarnings } from './config/unknown-variables.js';
import { startTelemetry, stopTelemetry } from './telemetry/otel-sdk.js';

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

const config = configOrExit();
// Telemetry starts before Nest is even imported, so the global tracer provider exists for every module.
startTelemetry(config.telemetry);
const { createApp, shutdownApp } = await import('./app.factory.js');
const { Logger } = await import('@nestjs/common');
const logger = new Logger('Mneme');
for (const warning of unknownVariableWarnings(process.env)) logger.warn(warning);

try {
  const app = await createApp(config);
  await app.listen({ port: config.server.port, host: config.server.host });
  const base = `http://${config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host}:${config.server.port}`;
  logger.log(
    `GraphQL ${base}/graphql${config.server.graphiql ? `  ·  GraphiQL ${base}/graphiql` : ''}  ·  OpenAI ${base}/v1`,
  );
  if (config.auth.apiKeys.size === 0) {
    logger.warn('No MNEME_API_KEYS: single-tenant mode (tenant "local"), bound to loopback only.');
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received`);
    shutdownApp(app, config.server.shutdownGraceMs)
      .then(() => stopTelemetry())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error('Shutdown failed', error);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
} catch (error) {
  logger.error(`Mneme failed to start: ${(error as Error).message}`);
  process.exit(1);
}
