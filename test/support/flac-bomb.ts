/**
 * Writes a valid FLAC file of constant-value frames: each frame holds 65,535 samples in a dozen bytes, the most
 * a FLAC can expand. `declaredSeconds` goes into STREAMINFO and may lie about `seconds`, the real length.
 */
export function flacBomb(options: {
  seconds: number;
  declaredSeconds?: number;
  sampleRate?: number;
  /** Samples per frame; by default the most there can be. */
  blockSize?: number;
  /** Frames that defer their rate to STREAMINFO: valid FLAC that frame-by-frame decoders fail on, loudly. */
  rateFromStreamInfo?: boolean;
}): Buffer {
  const sampleRate = options.sampleRate ?? 44_100;
  const total = Math.round(options.seconds * sampleRate);
  const declared = Math.round((options.declaredSeconds ?? options.seconds) * sampleRate);
  const parts = [Buffer.from('fLaC'), streamInfo(sampleRate, declared)];
  for (let frame = 0, left = total; left > 0; frame++) {
    const block = Math.min(options.blockSize ?? 65_535, left);
    parts.push(constantFrame(frame, block, options.rateFromStreamInfo ? 0 : rateCode(sampleRate)));
    left -= block;
  }
  return Buffer.concat(parts);
}

function streamInfo(sampleRate: number, totalSamples: number): Buffer {
  const block = Buffer.alloc(4 + 34);
  block[0] = 0x80; // last metadata block, type 0 (STREAMINFO)
  block.writeUIntBE(34, 1, 3);
  const info = block.subarray(4);
  info.writeUInt16BE(16, 0); // min block size
  info.writeUInt16BE(65_535, 2); // max block size
  // Sample rate (20 bits), channels − 1 (3 bits, mono), bits per sample − 1 (5 bits, 16), total samples (36 bits).
  info[10] = (sampleRate >> 12) & 0xff;
  info[11] = (sampleRate >> 4) & 0xff;
  info[12] = ((sampleRate & 0x0f) << 4) | (0 << 1) | ((15 >> 4) & 0x01);
  info[13] = ((15 & 0x0f) << 4) | Math.floor(totalSamples / 2 ** 32);
  info.writeUInt32BE(totalSamples % 2 ** 32, 14);
  return block;
}

// Frames name a common rate themselves, as encoders write them (decoders fed frame by frame need it).
const RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];

function rateCode(sampleRate: number): number {
  return Math.max(0, RATES.indexOf(sampleRate));
}

function constantFrame(index: number, blockSize: number, rate: number): Buffer {
  const header = [0xff, 0xf8, (7 << 4) | rate, (0 << 4) | (4 << 1), ...codedNumber(index)];
  header.push(((blockSize - 1) >> 8) & 0xff, (blockSize - 1) & 0xff);
  header.push(crc8(header));
  // One CONSTANT subframe (header byte 0) holding a 16-bit value, then the frame's CRC-16.
  const frame = [...header, 0x00, 0x10, 0x00];
  const crc = crc16(frame);
  return Buffer.from([...frame, crc >> 8, crc & 0xff]);
}

function codedNumber(n: number): number[] {
  if (n < 0x80) return [n];
  if (n < 0x800) return [0xc0 | (n >> 6), 0x80 | (n & 0x3f)];
  if (n < 0x10000) return [0xe0 | (n >> 12), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
  return [0xf0 | (n >> 18), 0x80 | ((n >> 12) & 0x3f), 0x80 | ((n >> 6) & 0x3f), 0x80 | (n & 0x3f)];
}

function crc8(bytes: number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

function crc16(bytes: number[]): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x8005) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
