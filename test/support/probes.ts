import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Helpers for the abuse suite: what a careless or hostile client sends, and how the server is watched. */

/** Polls /healthz every `everyMs` while `work` runs; answers the slowest answer's latency in ms. */
export async function slowestHealthz<T>(
  url: string,
  work: () => Promise<T>,
  everyMs = 10,
): Promise<{ result: T; slowestMs: number; probes: number }> {
  let running = true;
  let slowestMs = 0;
  let probes = 0;
  const poll = (async () => {
    while (running) {
      const started = performance.now();
      const response = await fetch(`${url}/healthz`);
      await response.arrayBuffer();
      slowestMs = Math.max(slowestMs, performance.now() - started);
      probes++;
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  try {
    const result = await work();
    return { result, slowestMs, probes };
  } finally {
    running = false;
    await poll;
  }
}

/** A mono 16-bit PCM WAV of a sine tone. */
export function toneWav(seconds: number, sampleRate: number, hz = 440): Buffer {
  const frames = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(frames * 2);
  for (let i = 0; i < frames; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / sampleRate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/**
 * Writes an HTTP/1.1 request on a bare TCP socket, exactly as given (any header, Upgrade included, which fetch
 * and node:http treat specially); resolves with the status and body, or 'timeout' when no full answer came.
 */
export function rawRequest(
  url: string,
  init: { method: string; path: string; headers: Record<string, string>; body?: Buffer | string },
  timeoutMs: number,
): Promise<{ status: number; body: string } | 'timeout'> {
  const { hostname, port } = new URL(url);
  const body = Buffer.from(init.body ?? '');
  const head = Object.entries({ host: hostname, ...init.headers, 'content-length': String(body.length) })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`${init.method} ${init.path} HTTP/1.1\r\n${head}\r\n`);
      socket.write(body);
    });
    let received = Buffer.alloc(0);
    const finish = (answer: { status: number; body: string } | 'timeout') => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const answer = parseResponse(received);
      if (answer) finish(answer);
    });
    socket.on('error', () => finish('timeout'));
  });
}

function parseResponse(bytes: Buffer): { status: number; body: string } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = bytes.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
  const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
  const body = bytes.subarray(end + 4);
  return body.length >= length ? { status, body: body.subarray(0, length).toString('utf8') } : undefined;
}

// The uploading client of uploadGraphqlFromChild: the same multipart request as test-app's uploadGraphql.
const CHILD_UPLOADER = `
const { readFileSync } = await import('node:fs');
const { url, query, variables, files, headers } = JSON.parse(process.argv[1]);
const form = new FormData();
form.append('operations', JSON.stringify({ query, variables }));
form.append('map', JSON.stringify(Object.fromEntries(files.map((f, i) => [String(i), [f.path]]))));
files.forEach((f, i) => form.append(String(i), new Blob([readFileSync(f.file)]), f.name));
const response = await fetch(url + '/graphql', { method: 'POST', headers, body: form });
process.stdout.write(JSON.stringify({ status: response.status, body: await response.json() }));
`;

/**
 * uploadGraphql from another process: the client's own work (building and streaming a multipart body of
 * megabytes) then stays off this process's event loop, so a probe of the in-process server measures the server.
 */
export async function uploadGraphqlFromChild(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  files: Record<string, { name: string; data: Buffer }>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mneme-upload-'));
  try {
    const sent = await Promise.all(
      Object.entries(files).map(async ([at, { name, data }], i) => {
        const file = path.join(dir, String(i));
        await writeFile(file, data);
        return { path: at, name, file };
      }),
    );
    const request = JSON.stringify({ url, query, variables, files: sent, headers });
    const { stdout } = await execFileAsync(
      process.execPath,
      ['--input-type=module', '-e', CHILD_UPLOADER, request],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
