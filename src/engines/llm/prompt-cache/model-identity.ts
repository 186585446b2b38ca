import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

const SAMPLE_BYTES = 1024 * 1024;

/**
 * A short name for "this model file under this llama.cpp build and context size": saved sequence states are
 * only ever loaded under the same identity (a state from another model can crash llama.cpp). Content-based
 * (the file's size, first and last MiB), so a renamed or copied file keeps its states and a replaced one does not.
 */
export async function modelIdentity(file: string, stateFormat: string, contextSize: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const hash = createHash('sha256').update(`${size}|${stateFormat}|${contextSize}|`);
    for (const position of [0, Math.max(0, size - SAMPLE_BYTES)]) {
      const buffer = Buffer.alloc(Math.min(SAMPLE_BYTES, size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      hash.update(buffer.subarray(0, bytesRead));
    }
    return hash.digest('hex').slice(0, 24);
  } finally {
    await handle.close();
  }
}
