import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../test/support/free-port.js';

/** The keys the soak's clients use, one tenant each. */
export const SOAK_KEYS = [
  'soak-key-alpha-01',
  'soak-key-bravo-02',
  'soak-key-charlie-3',
  'soak-key-delta-04',
];

export interface SoakServer {
  url: string;
  wsUrl: string;
  /** Resident memory and open descriptors of the server process, from /proc. */
  sample(): { rssBytes: number; fds: number };
  /** The server's open descriptors by kind (socket, pipe, anon_inode, or the folder a file is in). */
  descriptors(): Record<string, number>;
  /** The last lines the server wrote to stderr. */
  stderr(): string;
  stop(): Promise<number | null>;
}

/** Starts a built server (`main` is its main.js) as a child process on a free port, and waits until it is ready. */
export async function startSoakServer(
  main: string,
  model: string,
  env: Record<string, string> = {},
  nodeFlags: string[] = [],
): Promise<SoakServer> {
  const port = await freePort();
  const dirs = ['data', 'models'].map((d) => mkdtempSync(path.join(os.tmpdir(), `mneme-soak-${d}-`)));
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    MNEME_PORT: String(port),
    MNEME_HOST: '127.0.0.1',
    MNEME_API_KEYS: SOAK_KEYS.map((key, i) => `${key}:tenant${i}`).join(','),
    MNEME_DATA_DIR: dirs[0],
    MNEME_MODELS_DIR: dirs[1],
    MNEME_LLM_MODEL: model,
    MNEME_LLM_CONTEXT_SIZE: '1024',
    MNEME_LOG_LEVEL: 'warn',
    ...env,
  };
  delete childEnv.NODE_OPTIONS; // a test runner's flags are not the server's
  const child = spawn(process.execPath, [...nodeFlags, main], {
    env: childEnv,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (!(await ready(url))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the soak server did not become ready (exit ${child.exitCode}):\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  return {
    url,
    wsUrl: `${url.replace('http', 'ws')}/graphql`,
    sample: () => ({ rssBytes: rssOf(pid), fds: readdirSync(`/proc/${pid}/fd`).length }),
    descriptors: () => descriptorsOf(pid, dirs),
    stderr: () => stderr,
    stop: async () => {
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const code = child.exitCode ?? (await exited);
      clearTimeout(timer);
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

function descriptorsOf(pid: number, dirs: string[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    const kind =
      /^(\w+):/.exec(target)?.[1] ??
      path.dirname(target).replace(dirs[0]!, '<data>').replace(dirs[1]!, '<models>');
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

function rssOf(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/readyz`)).status === 200;
  } catch {
    return false;
  }
}
