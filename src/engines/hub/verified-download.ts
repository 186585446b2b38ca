import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HubError, type HubClient, type HubFile } from './hub-client.js';

export type ProgressListener = (file: string, received: number, total: number) => void;

/**
 * Downloads one hub file to `dest`, resuming a `.part` left by an interrupted pull (an HTTP range request), and
 * keeps it only when its content hashes to what the hub lists (sha256 of large files, git's blob id of the rest).
 * A file already in place at its listed size is kept as it is: it was verified when it was written.
 */
export async function downloadVerified(
  hub: HubClient,
  url: string,
  file: HubFile,
  dest: string,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<'downloaded' | 'present'> {
  if ((await sizeOf(dest)) === file.size) return 'present';
  await mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  let from = Math.min(await sizeOf(part), file.size);
  let hash = startHash(file);
  if (from > 0) await pipeline(createReadStream(part, { end: from - 1 }), hashInto(hash));
  const response = await hub.download(url, from, signal);
  if (from > 0 && response.status !== 206) {
    from = 0; // the server sent the whole file: start over
    hash = startHash(file);
  }
  let received = from;
  onProgress(file.path, received, file.size);
  // Chunk by chunk, each written before the next is read: an interrupted body leaves every byte it brought.
  const out = await open(part, from > 0 ? 'r+' : 'w');
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
      await out.write(chunk, 0, chunk.length, received);
      hash.update(chunk);
      received += chunk.length;
      onProgress(file.path, received, file.size);
    }
  } finally {
    await out.close();
  }
  const digest = hash.digest('hex');
  const expected = file.sha256 ?? file.gitOid;
  if (received !== file.size || digest !== expected) {
    await rm(part, { force: true });
    throw new HubError(
      `${file.path} did not arrive intact (${received} of ${file.size} bytes, ${file.sha256 ? 'sha256' : 'git id'} ` +
        `${digest}, the hub lists ${expected}); the partial file was deleted — pull again.`,
    );
  }
  await rename(part, dest);
  return 'downloaded';
}

function startHash(file: HubFile): Hash {
  if (file.sha256) return createHash('sha256');
  // git's blob id covers a header before the content.
  return createHash('sha1').update(`blob ${file.size}\0`);
}

function hashInto(hash: Hash): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done();
    },
  });
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}
