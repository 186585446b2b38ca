import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageRoot } from '../../src/common/package-root.js';
import { freePort } from '../../test/support/free-port.js';

// Child Mneme servers for bench/telemetry: the OpenTelemetry SDK is process-global (started once, never
// swapped), so telemetry ON and OFF can only be compared as two processes of the same build.

export const KEY = 'bench-telemetry-key-0001';
const TENANT = 'bench';

export interface ServerOptions {
  telemetry: boolean;
  model: string;
  threads: number;
  /** More MNEME_* settings, the same for ON and OFF. */
  env?: Record<string, string>;
}

export interface Server {
  name: string;
  url: string;
  /** CPU time (user + system) the server process has used so far, ms — from /proc, in clock ticks. */
  cpuMs(): number;
  stop(): Promise<void>;
}

// Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux).
const TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

function cpuMsOf(pid: number | undefined): number {
  // Fields after the parenthesized command: utime and stime are the 12th and 13th (state is the 1st).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

interface Running {
  child: ChildProcess;
  dirs: string[];
}
const running = new Set<Running>();

// Last resort on any exit (failure included): no server outlives the bench. 'exit' handlers must be synchronous.
process.once('exit', () => {
  for (const { child, dirs } of running) {
    child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

/** Starts `node dist/src/main.js` with the telemetry switch set, and waits until /readyz answers 200. */
export async function startServer(options: ServerOptions): Promise<Server> {
  const name = options.telemetry ? 'ON' : 'OFF';
  const port = await freePort();
  const dirs = ['data', 'models'].map((d) => mkdtempSync(path.join(os.tmpdir(), `mneme-bench-tel-${d}-`)));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MNEME_TELEMETRY: String(options.telemetry),
    MNEME_PORT: String(port),
    MNEME_HOST: '127.0.0.1',
    MNEME_API_KEYS: `${KEY}:${TENANT}`,
    MNEME_DATA_DIR: dirs[0],
    MNEME_MODELS_DIR: dirs[1],
    MNEME_LLM_MODEL: options.model,
    MNEME_LLM_THREADS: String(options.threads),
    MNEME_PERCEPTION_PRELOAD: 'false',
    MNEME_CONSOLIDATION_INTERVAL_MS: '0',
    MNEME_LOG_LEVEL: 'error',
    // `hint: FAST` then forces the fast path, so both servers do the same work per ask.
    MNEME_ROUTING_FORCE_TENANTS: TENANT,
    // Throughput is what is measured: per-key limits would cap it.
    MNEME_RATE_LIMIT_REQUESTS: '0',
    MNEME_RATE_LIMIT_TOKENS: '0',
    ...options.env,
  };
  // Telemetry ON means in-process cost only: spans and meters, no export over the network.
  delete env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const child = spawn(process.execPath, [path.join(packageRoot(), 'dist/src/main.js')], {
    cwd: packageRoot(),
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const entry: Running = { child, dirs };
  running.add(entry);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  while (!(await ready(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server ${name} did not become ready (exit ${child.exitCode}):\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // Proof the switch took: /metrics exists only when the SDK runs.
  const metrics = (await fetch(`${url}/metrics`)).status;
  if ((metrics === 200) !== options.telemetry)
    throw new Error(`server ${name}: /metrics answered ${metrics}`);
  return {
    name,
    url,
    cpuMs: () => cpuMsOf(child.pid),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      if (child.exitCode === null && child.signalCode === null) await exited;
      clearTimeout(timer);
      running.delete(entry);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).status === 200;
  } catch {
    return false; // not listening yet
  }
}

/** One authenticated GraphQL POST; throws on transport or GraphQL errors. */
export async function gql<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const payload = (await response.json()) as { data?: T; errors?: unknown[] };
  if (!payload.data || payload.errors)
    throw new Error(`GraphQL ${response.status}: ${JSON.stringify(payload)}`);
  return payload.data;
}
