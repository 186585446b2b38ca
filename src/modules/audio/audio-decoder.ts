import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { decodeCompressedChunks, type CompressedCodec } from '../../engines/audio/audio-decode.adapter.js';
import type { MediaBytes } from '../media/media-reader.service.js';
import { sniffMedia } from '../media/media-type.js';
import {
  flacLength,
  mp3DeclaredLength,
  oggCodec,
  oggDeclaredLength,
  seconds,
  type DeclaredLength,
} from './audio-length.js';
import { decodeWav, downmix } from './wav-decoder.js';

export interface DecodedAudio {
  /** Mono samples at the source rate. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
  seconds: number;
}

/** The formats this server decodes, for messages and for clients asking. */
export const AUDIO_FORMATS = ['wav', 'mp3', 'flac', 'ogg-vorbis', 'ogg-opus'] as const;

// Input fed to a streaming decoder per call. Small enough that one call's output stays small even for the most
// compressible frames (a byte of Opus or Vorbis can stand for thousands of samples), large enough to cost
// nothing measurable (decoding 5 minutes in 1 KB calls is as fast as in one). FLAC is cut at frame starts.
const CHUNK_BYTES: Record<CompressedCodec, number> = { mp3: 4096, vorbis: 1024, opus: 1024, flac: 16 * 1024 };

// What no real recording needs: past these a header is lying or the file is a bomb by width.
const MAX_SAMPLE_RATE = 384_000;
const MAX_CHANNELS = 8;

/**
 * Bytes → mono PCM, never spending memory past the length limit: WAV is parsed here (strictly: a lying header is
 * BAD_AUDIO); compressed audio is first refused by the length it declares (FLAC by what its frame headers add
 * up to), then MP3 and Ogg decode a chunk at a time and stop as soon as they pass the limit.
 */
export async function decodeAudio(
  media: MediaBytes,
  maxSeconds: number,
  what: string,
): Promise<DecodedAudio> {
  const { bytes } = media;
  if (bytes.length === 0) throw new MnemeError(ErrorCode.BAD_AUDIO, `${what} is empty (0 bytes).`);
  const format = sniffMedia(bytes);
  if (format === 'wav') {
    const pcm = decodeWav(bytes, what);
    return checked({ ...monoOf(pcm.channels, pcm.sampleRate) }, maxSeconds, what);
  }
  if (format !== 'mp3' && format !== 'flac' && format !== 'ogg') {
    throw new MnemeError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `${what} (${media.label}) is not audio this server decodes; send WAV, MP3, FLAC or Ogg (Vorbis or Opus).`,
    );
  }
  const codec: CompressedCodec | undefined = format === 'ogg' ? oggCodec(bytes) : format;
  if (!codec) throw undecodable(what, format, 'an Ogg stream that is neither Vorbis nor Opus');
  const declared = declaredLength(bytes, codec, what);
  const declaredSeconds = seconds(declared);
  if (declaredSeconds !== undefined && declaredSeconds > maxSeconds)
    throw tooLong(what, declaredSeconds, maxSeconds);
  try {
    const chunks = declared?.frameOffsets
      ? cutAt(bytes, declared.frameOffsets, CHUNK_BYTES.flac)
      : cutEvery(bytes, CHUNK_BYTES[codec]);
    return checked(await decodeBounded(chunks, codec, maxSeconds, what), maxSeconds, what);
  } catch (error) {
    if (error instanceof MnemeError) throw error;
    throw undecodable(what, format, error instanceof Error ? error.message : String(error));
  }
}

function declaredLength(bytes: Buffer, codec: CompressedCodec, what: string): DeclaredLength | undefined {
  switch (codec) {
    case 'flac': {
      const length = flacLength(bytes);
      // Without STREAMINFO its frames cannot be counted, and the format requires it first.
      if (!length) throw undecodable(what, 'flac', 'no STREAMINFO block');
      return length;
    }
    case 'mp3':
      return mp3DeclaredLength(bytes);
    case 'vorbis':
    case 'opus':
      return oggDeclaredLength(bytes);
  }
}

function* cutEvery(bytes: Buffer, size: number): Generator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** Chunks of about `size` bytes that end where a frame starts. */
function* cutAt(bytes: Buffer, offsets: number[], size: number): Generator<Uint8Array> {
  let start = 0;
  for (const offset of offsets) {
    if (offset - start < size) continue;
    yield bytes.subarray(start, offset);
    start = offset;
  }
  yield bytes.subarray(start);
}

/** Streams the decode, keeping only mono samples, and stops once past the limit. */
async function decodeBounded(
  chunks: Iterable<Uint8Array>,
  codec: CompressedCodec,
  maxSeconds: number,
  what: string,
): Promise<Omit<DecodedAudio, 'seconds'>> {
  const pieces: Float32Array[] = [];
  let frames = 0;
  let sampleRate = 0;
  let channels = 0;
  for await (const chunk of decodeCompressedChunks(chunks, codec)) {
    sampleRate ||= chunk.sampleRate;
    channels = Math.max(channels, chunk.channels.length);
    if (sampleRate > MAX_SAMPLE_RATE || channels > MAX_CHANNELS)
      throw undecodable(what, codec, `${channels} channels at ${sampleRate} Hz is past what is decoded`);
    const mono = downmix(chunk.channels);
    frames += mono.length;
    if (sampleRate > 0 && frames / sampleRate > maxSeconds) throw tooLong(what, undefined, maxSeconds);
    pieces.push(mono);
  }
  const samples = new Float32Array(frames);
  let at = 0;
  for (const piece of pieces) {
    samples.set(piece, at);
    at += piece.length;
  }
  return { samples, sampleRate, channels };
}

function monoOf(channels: Float32Array[], sampleRate: number): Omit<DecodedAudio, 'seconds'> {
  return {
    samples: channels.length ? downmix(channels) : new Float32Array(0),
    sampleRate,
    channels: channels.length,
  };
}

function checked(audio: Omit<DecodedAudio, 'seconds'>, maxSeconds: number, what: string): DecodedAudio {
  if (audio.samples.length === 0 || audio.sampleRate <= 0)
    throw new MnemeError(ErrorCode.BAD_AUDIO, `${what} holds no decodable samples.`);
  const length = audio.samples.length / audio.sampleRate;
  if (length > maxSeconds) throw tooLong(what, length, maxSeconds);
  return { ...audio, seconds: length };
}

function tooLong(what: string, length: number | undefined, maxSeconds: number): MnemeError {
  const said = length === undefined ? 'longer than that' : `${length.toFixed(1)} s long`;
  return new MnemeError(
    ErrorCode.AUDIO_TOO_LONG,
    `${what} is ${said}; the limit is ${maxSeconds} s. Split it or raise MNEME_AUDIO_MAX_SECONDS.`,
    { details: { ...(length === undefined ? {} : { seconds: length }), maxSeconds } },
  );
}

function undecodable(what: string, format: string, reason: string): MnemeError {
  return new MnemeError(
    ErrorCode.BAD_AUDIO,
    `${what} looks like ${format.toUpperCase()} but cannot be decoded (${reason}).`,
  );
}
