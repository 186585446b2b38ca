import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { Test } from '@nestjs/testing';
import { createApp, finishApp, serverParts, type CreateAppOptions } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config/app-config.js';
import { LlmEngine } from '../../src/engines/llm/llm-engine.js';
import { startTelemetry } from '../../src/telemetry/otel-sdk.js';

export const FIXTURE_LLM = path.resolve('test/fixtures/models/tiny-llama/tiny-llama.gguf');
export const KEYS = { alice: 'alice-key-0001', bob: 'bob-key-000002' } as const;
export const API_KEYS_ENV = `${KEYS.alice}:alice,${KEYS.bob}:bob`;

/** One in-memory exporter per test file (each jest file has its own globals), so tests can read spans. */
export const spans = new InMemorySpanExporter();

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export interface TestAppOptions extends CreateAppOptions {
  /** Serve through this engine (one that records its calls, say) in place of the configured one. */
  llmEngine?: LlmEngine;
}

/** Boots the real server on a free loopback port, with keys for two tenants and the fixture model. */
export async function startTestApp(
  env: Record<string, string> = {},
  options: TestAppOptions = {},
): Promise<TestApp> {
  const config = loadConfig({
    MNEME_API_KEYS: API_KEYS_ENV,
    MNEME_HOST: '127.0.0.1',
    MNEME_LLM_MODEL: FIXTURE_LLM,
    MNEME_LLM_CONTEXT_SIZE: '512',
    MNEME_LLM_THREADS: '2',
    MNEME_MODELS_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-models-')),
    MNEME_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-data-')),
    MNEME_LOG_LEVEL: 'error',
    // Background fact extraction would compete for the engine with what a test measures; tests that want it
    // turn it on.
    MNEME_CONSOLIDATION_INTERVAL_MS: '0',
    // Perception models load at their first use (0.5–1.8 s less per boot, and most files use none); tests
    // about models being ready at start set it back to true.
    MNEME_PERCEPTION_PRELOAD: 'false',
    // Tests send requests faster than a person would; the abuse suite turns the per-key limits on.
    MNEME_RATE_LIMIT_REQUESTS: '0',
    MNEME_RATE_LIMIT_TOKENS: '0',
    ...env,
  });
  startTelemetry({ ...config.telemetry, extraProcessors: [new SimpleSpanProcessor(spans)] });
  const app = options.llmEngine
    ? await appWithEngine(config, options.llmEngine, options)
    : await createApp(config, { logger: false, ...options });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  if (typeof address !== 'object' || address === null) throw new Error('server has no address');
  const url = `http://127.0.0.1:${address.port}`;
  return { app, config, url, wsUrl: url.replace('http', 'ws') + '/graphql', close: () => app.close() };
}

/** createApp's two halves with Nest's testing module between them, the engine overridden by its token. */
async function appWithEngine(
  config: AppConfig,
  engine: LlmEngine,
  options: CreateAppOptions,
): Promise<NestFastifyApplication> {
  const { module, adapter } = await serverParts(config);
  const testing = await Test.createTestingModule({ imports: [module] })
    .overrideProvider(LlmEngine)
    .useValue(engine)
    .compile();
  const app = testing.createNestApplication<NestFastifyApplication>(adapter, {
    logger: options.logger ?? false,
  });
  await finishApp(app, options);
  return app;
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** POSTs a GraphQL document with fetch, returning status and parsed body (for raw protocol checks). */
export async function postGraphql(
  url: string,
  body: unknown,
  headers: Record<string, string> = bearer(KEYS.alice),
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The GraphQL multipart request spec, by hand: `operations`, `map`, then one part per file. */
export async function uploadGraphql(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  files: Record<string, { name: string; data: Buffer }>,
  headers: Record<string, string> = bearer(KEYS.alice),
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query, variables }));
  const paths = Object.keys(files);
  form.append('map', JSON.stringify(Object.fromEntries(paths.map((p, i) => [String(i), [p]]))));
  paths.forEach((p, i) => form.append(String(i), new Blob([files[p]!.data]), files[p]!.name));
  const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: form });
  return { status: response.status, body: await response.json() };
}

export function media(name: string): Buffer {
  return readFileSync(path.resolve('test/fixtures/media', name));
}
