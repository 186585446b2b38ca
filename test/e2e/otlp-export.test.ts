import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildForChildren } from '../support/build-for-children.js';
import { API_KEYS_ENV, FIXTURE_LLM, KEYS, bearer, postGraphql } from '../support/test-app.js';
import { freePort } from '../support/free-port.js';

// OTLP export through the real SDK exporters: the server runs as its own process (the SDK is process-global, so
// it cannot share a jest worker with other apps) pointed at a local collector that records what it is sent.

let collector: Server;
let server: ChildProcess | undefined;
const received: { path: string; body: string }[] = [];

const listen = (s: Server) =>
  new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

async function until<T>(what: string, fn: () => T | undefined, ms = 30_000): Promise<T> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const found = fn();
    if (found !== undefined) return found;
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  collector = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      received.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  const collectorPort = await listen(collector);
  const srcDir = buildForChildren();
  const port = await freePort();
  server = spawn(process.execPath, [path.join(srcDir, 'main.js')], {
    env: {
      ...process.env,
      MNEME_HOST: '127.0.0.1',
      MNEME_PORT: String(port),
      MNEME_API_KEYS: API_KEYS_ENV,
      MNEME_LLM_MODEL: FIXTURE_LLM,
      MNEME_LLM_CONTEXT_SIZE: '512',
      MNEME_LLM_THREADS: '2',
      MNEME_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-otlp-')),
      MNEME_MODELS_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-otlp-models-')),
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_CONSOLIDATION_INTERVAL_MS: '0',
      MNEME_LOG_LEVEL: 'error',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${collectorPort}`,
      OTEL_METRIC_EXPORT_INTERVAL: '300',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let ready = false; !ready; await new Promise((r) => setTimeout(r, 200))) {
    ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
  }
  const ask = await postGraphql(
    url,
    { query: 'mutation { ask(input: { prompt: "Hello", maxTokens: 4 }) { traceId } }' },
    bearer(KEYS.alice),
  );
  expect(ask.body.errors).toBeUndefined();
  received.push({ path: 'traceId', body: String(ask.body.data.ask.traceId) });
}, 120_000);

afterAll(async () => {
  server?.kill('SIGKILL');
  await new Promise((r) => collector.close(r));
});

describe('OTLP export', () => {
  it('sends the ask’s spans, under its trace id, to <endpoint>/v1/traces', async () => {
    const traceId = received.find((r) => r.path === 'traceId')!.body;
    const traces = await until('traces', () =>
      received.find((r) => r.path === '/v1/traces' && r.body.includes('"name":"ask"')),
    );
    const body = JSON.parse(traces.body) as {
      resourceSpans: { scopeSpans: { spans: { traceId: string; name: string }[] }[] }[];
    };
    const spans = body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.filter((s) => s.traceId === traceId).map((s) => s.name)).toEqual(
      expect.arrayContaining(['ask', 'route.decide', 'memory.working']),
    );
  });

  it('pushes the stage histograms and gauges to <endpoint>/v1/metrics', async () => {
    const metrics = await until('metrics', () =>
      // Exports run every 300 ms: wait for one taken after the ask's generation ended.
      received.find((r) => r.path === '/v1/metrics' && r.body.includes('"stringValue":"llm.generate"')),
    );
    expect(metrics.body).toContain('"name":"mneme.stage.duration.milliseconds"');
    expect(metrics.body).toContain('"name":"mneme.llm.queue.depth"');
    expect(metrics.body).toContain('"name":"mneme.stage.breached"');
  });
});
