import { createHash } from 'node:crypto';

/** Hex SHA-256 of a file's bytes: how episodes refer to the media they came with. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
