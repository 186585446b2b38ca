import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';

export interface PcmAudio {
  /** One Float32Array per channel, nominally in [-1, 1] (float WAVs may exceed it; NaN/Infinity become 0). */
  channels: Float32Array[];
  sampleRate: number;
}

const PCM = 1;
const IEEE_FLOAT = 3;
const EXTENSIBLE = 0xfffe;
const UNKNOWN_SIZE = 0xffffffff;

/**
 * Decodes RIFF/WAVE: integer PCM of 8, 16, 24 or 32 bits and IEEE float of 32 or 64 bits, any channel count,
 * plain or WAVE_FORMAT_EXTENSIBLE. A header that contradicts the file (sizes, rates, alignment) is BAD_AUDIO.
 */
export function decodeWav(bytes: Buffer, what = 'The audio'): PcmAudio {
  const bad = (why: string) =>
    new MnemeError(ErrorCode.BAD_AUDIO, `${what} is not a valid WAV file: ${why}.`);
  if (
    bytes.length < 12 ||
    bytes.toString('ascii', 0, 4) !== 'RIFF' ||
    bytes.toString('ascii', 8, 12) !== 'WAVE'
  ) {
    throw bad('no RIFF/WAVE header');
  }
  let format:
    { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number } | undefined;
  let offset = 12;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const declared = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      if (declared < 16 || body + 16 > bytes.length) throw bad('the fmt chunk is too short');
      let tag = bytes.readUInt16LE(body);
      if (tag === EXTENSIBLE && declared >= 40 && body + 26 <= bytes.length)
        tag = bytes.readUInt16LE(body + 24);
      format = {
        tag,
        channels: bytes.readUInt16LE(body + 2),
        sampleRate: bytes.readUInt32LE(body + 4),
        blockAlign: bytes.readUInt16LE(body + 12),
        bits: bytes.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!format) throw bad('the data chunk comes before the fmt chunk');
      // Streamed WAVs write 0 or 0xFFFFFFFF when the length was unknown: the data runs to the end of the file.
      const available = bytes.length - body;
      const size = declared === 0 || declared === UNKNOWN_SIZE ? available : declared;
      if (size > available) {
        throw bad(
          `the header promises ${size} bytes of samples but the file holds ${available}; it is truncated or its header lies`,
        );
      }
      return decodeSamples(bytes.subarray(body, body + size), format, bad);
    }
    offset = body + declared + (declared % 2); // chunks are word-aligned
  }
  throw bad(format ? 'there is no data chunk' : 'there is no fmt chunk');
}

function decodeSamples(
  data: Buffer,
  f: { tag: number; channels: number; sampleRate: number; blockAlign: number; bits: number },
  bad: (why: string) => MnemeError,
): PcmAudio {
  if (f.channels < 1 || f.channels > 32) throw bad(`${f.channels} channels`);
  if (f.sampleRate < 1000 || f.sampleRate > 768_000) throw bad(`a sample rate of ${f.sampleRate} Hz`);
  const bytesPerSample = f.bits / 8;
  const supported =
    (f.tag === PCM && [8, 16, 24, 32].includes(f.bits)) ||
    (f.tag === IEEE_FLOAT && [32, 64].includes(f.bits));
  if (!supported) {
    throw new MnemeError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `WAV format ${f.tag} with ${f.bits}-bit samples is not supported; send 8/16/24/32-bit PCM or 32/64-bit float.`,
    );
  }
  if (f.blockAlign !== bytesPerSample * f.channels) {
    throw bad(`block align ${f.blockAlign} does not match ${f.channels} × ${f.bits}-bit samples`);
  }
  const frames = Math.floor(data.length / f.blockAlign);
  const channels = Array.from({ length: f.channels }, () => new Float32Array(frames));
  const read = sampleReader(f.tag, f.bits);
  for (let i = 0; i < frames; i++) {
    const frame = i * f.blockAlign;
    for (let c = 0; c < f.channels; c++) channels[c]![i] = read(data, frame + c * bytesPerSample);
  }
  return { channels, sampleRate: f.sampleRate };
}

function sampleReader(tag: number, bits: number): (data: Buffer, at: number) => number {
  if (tag === IEEE_FLOAT) {
    // A non-finite sample would poison every feature computed from the clip.
    const finite = (v: number) => (Number.isFinite(v) ? v : 0);
    return bits === 32 ? (d, at) => finite(d.readFloatLE(at)) : (d, at) => finite(d.readDoubleLE(at));
  }
  switch (bits) {
    case 8:
      return (d, at) => (d[at]! - 128) / 128; // 8-bit WAV is unsigned
    case 16:
      return (d, at) => d.readInt16LE(at) / 32768;
    case 24:
      return (d, at) => d.readIntLE(at, 3) / 8388608;
    default:
      return (d, at) => d.readInt32LE(at) / 2147483648;
  }
}

/** Averages channels into one. */
export function downmix(channels: Float32Array[]): Float32Array {
  if (channels.length === 1) return channels[0]!;
  const out = new Float32Array(channels[0]?.length ?? 0);
  for (const channel of channels)
    for (let i = 0; i < out.length; i++) out[i]! += channel[i]! / channels.length;
  return out;
}
