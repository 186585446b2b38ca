import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const SAMPLE_BYTES = 1024 * 1024;

/**
 * What a model folder computes, independent of where it lies: a hash of its config, the dtype it is loaded
 * with, and each ONNX file's name, size and first and last MiB (a full read of a 1 GB model would add seconds to
 * every boot; a retrained model differs in size or in those bytes). 16 hex digits.
 */
export function fingerprintModel(folder: string, dtype: string): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(path.join(folder, 'config.json')));
  hash.update(`\0dtype=${dtype}\0`);
  const onnxDir = path.join(folder, 'onnx');
  const files = existsSync(onnxDir)
    ? readdirSync(onnxDir)
        .filter((f) => f.endsWith('.onnx'))
        .sort()
    : [];
  for (const file of files) {
    const full = path.join(onnxDir, file);
    const size = statSync(full).size;
    hash.update(`\0${file}\0${size}\0`);
    hash.update(sample(full, 0, size));
    if (size > SAMPLE_BYTES) hash.update(sample(full, Math.max(SAMPLE_BYTES, size - SAMPLE_BYTES), size));
  }
  return hash.digest('hex').slice(0, 16);
}

function sample(file: string, from: number, size: number): Buffer {
  const buffer = Buffer.alloc(Math.min(SAMPLE_BYTES, size - from));
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, from);
  } finally {
    closeSync(fd);
  }
  return buffer;
}
