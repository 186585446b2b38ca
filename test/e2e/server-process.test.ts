import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FIXTURE_LLM } from '../support/test-app.js';
import { freePort } from '../support/free-port.js';

// The real entry point as `npm start` runs it: built JS in its own process, env config, signals, OTLP export.

const childEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, MNEME_LOG_LEVEL: 'warn', ...extra };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the server
  return env;
};

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

beforeAll(() => {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}, 120_000);

it('stops at boot with exit code 78 and a message naming every bad variable', async () => {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    env: childEnv({ MNEME_PORT: 'abc', MNEME_LLM_PARALLEL: '0' }),
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  expect(await exitOf(child)).toBe(78);
  expect(stderr).toContain('MNEME_PORT');
  expect(stderr).toContain('MNEME_LLM_PARALLEL');
});

describe('a running server process', () => {
  let collector: Server;
  const exported: string[] = [];
  let collectorUrl: string;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (req.url === '/v1/traces') exported.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', r));
    collectorUrl = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise((r) => collector.close(r)));

  it('serves, finishes an in-flight stream on SIGTERM, exports its spans over OTLP, and exits 0', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: childEnv({
        MNEME_PORT: String(port),
        MNEME_LLM_MODEL: FIXTURE_LLM,
        MNEME_LLM_CONTEXT_SIZE: '512',
        MNEME_SHUTDOWN_GRACE_MS: '20000',
        OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
      }),
    });
    const exited = exitOf(child);
    const base = `http://127.0.0.1:${port}`;
    const until = Date.now() + 30_000;
    for (;;) {
      const ready = await fetch(`${base}/readyz`).then(
        (r) => r.status,
        () => 0,
      );
      if (ready === 200) break;
      if (Date.now() > until) throw new Error('server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hello' }], max_tokens: 60, stream: true }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    child.kill('SIGTERM');
    let body = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      body += new TextDecoder().decode(chunk.value);
    expect(body).toMatch(/"finish_reason":"(length|stop)"/);
    expect(await exited).toBe(0);
    const spans = exported.join('\n');
    expect(spans).toContain('gen_ai.operation.name');
    expect(spans).toContain('gen_ai.usage.output_tokens');
    expect(spans).toContain('POST /v1/chat/completions');
  });
});
