import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

// A real redis-server child on a free loopback port, without persistence (the few lines of
// test/support/redis-server.ts the bench needs; bench code does not import from test/).

export async function startRedis(binary = process.env.MNEME_TEST_REDIS_SERVER ?? 'redis-server') {
  const port = await new Promise<number>((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-bench-redis-'));
  const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'];
  const child = spawn(binary, [...args, '--dir', dir], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (e) =>
      reject(new Error(`${binary}: ${e.message} (apt-get install -y redis-server)`)),
    ),
  );
  const deadline = Date.now() + 5000;
  while (!(await Promise.race([failed, canConnect(port)]))) {
    if (Date.now() > deadline) throw new Error(`redis-server did not open port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
