import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { callServer as call, reportFailure as failed, type ServerTarget } from './server-call.js';

// `mneme export` and `mneme import`: a tenant's memory to and from a JSON Lines archive, through a running
// server's /v1/memory routes (the key says whose memory).

type ArchiveTarget = ServerTarget;

/** Writes the archive to `out` (replaced only once complete); answers the exit code. */
export async function exportMemory(
  target: ArchiveTarget & { out: string; vectors: boolean },
): Promise<number> {
  const started = Date.now();
  const response = await call(target, `/v1/memory/export?vectors=${target.vectors}`, { method: 'GET' });
  if (!response.ok || !response.body) return failed('export', response);
  // Written beside the target first: a cut connection never leaves a half archive under the real name.
  const partial = `${target.out}.partial`;
  try {
    await pipeline(
      Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
      createWriteStream(partial),
    );
    await rename(partial, target.out);
  } catch (error) {
    await rm(partial, { force: true });
    console.error(`export failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const bytes = statSync(target.out).size;
  console.log(`Exported ${mb(bytes)} to ${target.out} in ${seconds(started)} (${rate(bytes, started)})`);
  return 0;
}

/**
 * Sends the archive at `file` to be restored into the key's (empty) tenant, or merged into its memory as it is;
 * answers the exit code.
 */
export async function importMemory(
  target: ArchiveTarget & { file: string; merge?: boolean },
): Promise<number> {
  const started = Date.now();
  const bytes = statSync(target.file).size;
  const mode = target.merge ? 'merge' : 'restore';
  const response = await call(target, `/v1/memory/import?mode=${mode}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: Readable.toWeb(createReadStream(target.file)) as ReadableStream<Uint8Array>,
    duplex: 'half',
  });
  if (!response.ok) return failed('import', response);
  const answer = (await response.json()) as {
    imported?: Record<string, number>;
    merged?: Record<string, number>;
  };
  const what = Object.entries(answer.imported ?? answer.merged ?? {})
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
  const done = target.merge ? 'Merged' : 'Imported';
  console.log(`${done} ${what} from ${target.file} in ${seconds(started)} (${rate(bytes, started)})`);
  return 0;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const seconds = (started: number) => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const rate = (bytes: number, started: number) =>
  `${mb(bytes / Math.max(0.001, (Date.now() - started) / 1000))}/s`;
