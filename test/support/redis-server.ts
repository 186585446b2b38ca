import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

/** A real redis-server child on a free loopback port, stoppable and restartable on the same port. */
export interface RedisProcess {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const BINARY = process.env.MNEME_TEST_REDIS_SERVER ?? 'redis-server';

export function redisAvailable(): boolean {
  return spawnSync(BINARY, ['--version']).status === 0;
}

/** Starts redis-server; throws with the install command when the binary is missing (`.ci/run` installs it). */
export async function startRedis(): Promise<RedisProcess> {
  if (!redisAvailable()) {
    throw new Error(
      `${BINARY} not found: install it (apt-get install -y redis-server) or set MNEME_TEST_REDIS_SERVER`,
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-redis-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      BINARY,
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    await waitForPort(port);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, start, stop };
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not open port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
