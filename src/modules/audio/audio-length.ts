/**
 * How long compressed audio says it is, read from its headers without decoding a sample, so a clip over the
 * limit is refused before any memory is spent on it. Compressed formats can expand thousands of times (a
 * 77 KB FLAC can hold two hours of samples): what a file declares is checked first, and for FLAC, whose
 * frames each state their own length, what its frames add up to.
 */

export interface DeclaredLength {
  frames: number;
  sampleRate: number;
  /** Where FLAC frames start: chunks cut there decode whole (a frame cut in two is lost by the decoder). */
  frameOffsets?: number[];
}

export function seconds(length: DeclaredLength | undefined): number | undefined {
  return length && length.sampleRate > 0 ? length.frames / length.sampleRate : undefined;
}

// --- FLAC -----------------------------------------------------------------------------------------------

interface StreamInfo {
  sampleRate: number;
  channels: number;
  /** What the encoder wrote; 0 when unknown. */
  totalFrames: number;
}

/** STREAMINFO, the first metadata block after "fLaC" (RFC 9639 §8.2). */
export function flacStreamInfo(bytes: Uint8Array): StreamInfo | undefined {
  if (bytes.length < 42 || (bytes[4]! & 0x7f) !== 0) return undefined;
  const b = (i: number) => bytes[8 + i]!;
  const sampleRate = (b(10) << 12) | (b(11) << 4) | (b(12) >> 4);
  const channels = ((b(12) >> 1) & 0x07) + 1;
  const totalFrames = (b(13) & 0x0f) * 2 ** 32 + ((b(14) << 24) >>> 0) + (b(15) << 16) + (b(16) << 8) + b(17);
  return { sampleRate, channels, totalFrames };
}

/**
 * The samples FLAC's frames hold, from their headers alone: every frame header states its block size and is
 * protected by a CRC-8, so the sum over valid headers bounds what any decoder will produce (a header-shaped
 * run inside compressed data passes by chance about once in 256, and must also agree with STREAMINFO).
 */
export function flacLength(bytes: Uint8Array): DeclaredLength | undefined {
  const info = flacStreamInfo(bytes);
  if (!info || info.sampleRate === 0) return undefined;
  let frames = 0;
  const frameOffsets: number[] = [];
  for (let i = firstFrameOffset(bytes); i + 5 < bytes.length; i++) {
    if (bytes[i] !== 0xff || (bytes[i + 1]! & 0xfe) !== 0xf8) continue;
    const header = frameHeader(bytes, i, info);
    if (!header) continue;
    frames += header.blockSize;
    frameOffsets.push(i);
    i += header.length - 1;
  }
  // The frames, not STREAMINFO's total: a total can lie either way, and frames are what a decoder produces.
  return { frames, sampleRate: info.sampleRate, frameOffsets };
}

function firstFrameOffset(bytes: Uint8Array): number {
  let offset = 4;
  for (;;) {
    if (offset + 4 > bytes.length) return bytes.length;
    const last = (bytes[offset]! & 0x80) !== 0;
    const size = (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    offset += 4 + size;
    if (last) return offset;
  }
}

const SAMPLE_RATES = [0, 88200, 176400, 192000, 8000, 16000, 22050, 24000, 32000, 44100, 48000, 96000];

function frameHeader(
  bytes: Uint8Array,
  at: number,
  info: StreamInfo,
): { blockSize: number; length: number } | undefined {
  const sizeCode = bytes[at + 2]! >> 4;
  const rateCode = bytes[at + 2]! & 0x0f;
  const channelCode = bytes[at + 3]! >> 4;
  if (sizeCode === 0 || rateCode === 15 || channelCode > 10 || (bytes[at + 3]! & 0x01) !== 0)
    return undefined;
  if (((bytes[at + 3]! >> 1) & 0x07) === 3) return undefined; // reserved sample size
  const channels = channelCode < 8 ? channelCode + 1 : 2;
  if (channels !== info.channels) return undefined;
  if (rateCode > 0 && rateCode < 12 && SAMPLE_RATES[rateCode] !== info.sampleRate) return undefined;
  let p = at + 4;
  const coded = codedNumberLength(bytes[p]);
  if (!coded) return undefined;
  p += coded;
  let blockSize: number;
  if (sizeCode === 1) blockSize = 192;
  else if (sizeCode <= 5) blockSize = 576 << (sizeCode - 2);
  else if (sizeCode === 6) blockSize = (bytes[p++] ?? 0) + 1;
  else if (sizeCode === 7) blockSize = (((bytes[p++] ?? 0) << 8) | (bytes[p++] ?? 0)) + 1;
  else blockSize = 256 << (sizeCode - 8);
  if (rateCode === 12) p += 1;
  else if (rateCode === 13 || rateCode === 14) p += 2;
  if (p >= bytes.length || crc8(bytes, at, p) !== bytes[p]) return undefined;
  return { blockSize, length: p + 1 - at };
}

/** Length of FLAC's UTF-8-like frame/sample number, from its first byte; undefined when malformed. */
function codedNumberLength(first: number | undefined): number | undefined {
  if (first === undefined) return undefined;
  if ((first & 0x80) === 0) return 1;
  for (let n = 2; n <= 7; n++) {
    const mask = (0xff << (7 - n)) & 0xff;
    if ((first & mask) === ((mask << 1) & 0xff)) return n;
  }
  return undefined;
}

function crc8(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0;
  for (let i = from; i < to; i++) {
    crc ^= bytes[i]!;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x80 ? ((crc << 1) ^ 0x07) & 0xff : (crc << 1) & 0xff;
  }
  return crc;
}

// --- MP3 --------------------------------------------------------------------------------------------------

const MPEG1_RATES = [44100, 48000, 32000];

/** The frame count a Xing/Info or VBRI header declares (encoders write one into the first frame). */
export function mp3DeclaredLength(bytes: Uint8Array): DeclaredLength | undefined {
  let at = 0;
  if (bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33 && bytes.length >= 10) {
    // ID3v2: a 10-byte header and a synchsafe size.
    at = 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!);
  }
  for (const end = Math.min(bytes.length - 4, at + 64 * 1024); at < end; at++) {
    if (bytes[at] === 0xff && (bytes[at + 1]! & 0xe0) === 0xe0) break;
  }
  if (at + 4 > bytes.length) return undefined;
  const version = (bytes[at + 1]! >> 3) & 0x03; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
  const layer = (bytes[at + 1]! >> 1) & 0x03; // 1: layer III
  const rateIndex = (bytes[at + 2]! >> 2) & 0x03;
  if (version === 1 || layer !== 1 || rateIndex === 3) return undefined;
  const sampleRate = MPEG1_RATES[rateIndex]! / (version === 3 ? 1 : version === 2 ? 2 : 4);
  const mono = bytes[at + 3]! >> 6 === 3;
  const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const perFrame = version === 3 ? 1152 : 576;
  const xing = at + 4 + sideInfo;
  const tag = ascii(bytes, xing, 4);
  // Both tags are big-endian.
  if ((tag === 'Xing' || tag === 'Info') && (readU32BE(bytes, xing + 4) & 0x01) !== 0) {
    return { frames: readU32BE(bytes, xing + 8) * perFrame, sampleRate };
  }
  if (ascii(bytes, at + 36, 4) === 'VBRI')
    return { frames: readU32BE(bytes, at + 36 + 14) * perFrame, sampleRate };
  return undefined;
}

// --- Ogg (Vorbis, Opus) -------------------------------------------------------------------------------------

export type OggCodec = 'vorbis' | 'opus';

export function oggCodec(bytes: Uint8Array): OggCodec | undefined {
  // The first page carries the identification header right after its 27-byte header and segment table.
  const body = 27 + (bytes[26] ?? 0);
  if (ascii(bytes, body, 8) === 'OpusHead') return 'opus';
  if (bytes[body] === 0x01 && ascii(bytes, body + 1, 6) === 'vorbis') return 'vorbis';
  return undefined;
}

/** The last page's granule position: samples at 48 kHz for Opus (less its pre-skip), at the stream's rate for Vorbis. */
export function oggDeclaredLength(bytes: Uint8Array): DeclaredLength | undefined {
  const codec = oggCodec(bytes);
  if (!codec) return undefined;
  const body = 27 + (bytes[26] ?? 0);
  const sampleRate = codec === 'opus' ? 48_000 : readU32(bytes, body + 12);
  const preSkip = codec === 'opus' ? (bytes[body + 10] ?? 0) | ((bytes[body + 11] ?? 0) << 8) : 0;
  for (let at = bytes.length - 27; at >= Math.max(0, bytes.length - 256 * 1024); at--) {
    if (ascii(bytes, at, 4) !== 'OggS') continue;
    const low = readU32(bytes, at + 6);
    const high = readU32(bytes, at + 10);
    if (high === 0xffffffff) continue; // -1: no packet ends on this page
    return { frames: Math.max(0, high * 2 ** 32 + low - preSkip), sampleRate };
  }
  return undefined;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  if (at < 0 || at + length > bytes.length) return '';
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function readU32(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) return 0;
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}

function readU32BE(bytes: Uint8Array, at: number): number {
  if (at + 4 > bytes.length) return 0;
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
