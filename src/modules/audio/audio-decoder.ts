import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { decodeCompressedAudio } from '../../engines/audio/audio-decode.adapter.js';
import type { MediaBytes } from '../media/media-reader.service.js';
import { sniffMedia } from '../media/media-type.js';
import { decodeWav, downmix, type PcmAudio } from './wav-decoder.js';

export interface DecodedAudio {
  /** Mono samples at the source rate. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
  seconds: number;
}

/** The formats this server decodes, for messages and for clients asking. */
export const AUDIO_FORMATS = ['wav', 'mp3', 'flac', 'ogg-vorbis', 'ogg-opus'] as const;

/**
 * Bytes → mono PCM. WAV is parsed here (strictly: a lying header is BAD_AUDIO); MP3, FLAC and Ogg (Vorbis,
 * Opus) go through WebAssembly decoders. Longer than the limit is AUDIO_TOO_LONG.
 */
export async function decodeAudio(
  media: MediaBytes,
  maxSeconds: number,
  what: string,
): Promise<DecodedAudio> {
  if (media.bytes.length === 0) throw new MnemeError(ErrorCode.BAD_AUDIO, `${what} is empty (0 bytes).`);
  const format = sniffMedia(media.bytes);
  let pcm: PcmAudio;
  if (format === 'wav') {
    pcm = decodeWav(media.bytes, what);
  } else if (format === 'mp3' || format === 'flac' || format === 'ogg') {
    try {
      pcm = await decodeCompressedAudio(media.bytes);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MnemeError(
        ErrorCode.BAD_AUDIO,
        `${what} looks like ${format.toUpperCase()} but cannot be decoded (${reason}).`,
      );
    }
  } else {
    throw new MnemeError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `${what} (${media.label}) is not audio this server decodes; send WAV, MP3, FLAC or Ogg (Vorbis or Opus).`,
    );
  }
  const frames = pcm.channels[0]?.length ?? 0;
  if (frames === 0 || pcm.sampleRate <= 0)
    throw new MnemeError(ErrorCode.BAD_AUDIO, `${what} holds no decodable samples.`);
  const seconds = frames / pcm.sampleRate;
  if (seconds > maxSeconds) {
    throw new MnemeError(
      ErrorCode.AUDIO_TOO_LONG,
      `${what} is ${seconds.toFixed(1)} s long; the limit is ${maxSeconds} s. Split it or raise MNEME_AUDIO_MAX_SECONDS.`,
      { details: { seconds, maxSeconds } },
    );
  }
  return {
    samples: downmix(pcm.channels),
    sampleRate: pcm.sampleRate,
    channels: pcm.channels.length,
    seconds,
  };
}
