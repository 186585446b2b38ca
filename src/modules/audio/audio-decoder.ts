import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { MediaBytes } from '../media/media-reader.service.js';
import { sniffMedia } from '../media/media-type.js';
import { decodeWav, downmix } from './wav-decoder.js';

export interface DecodedAudio {
  /** Mono samples at the source rate. */
  samples: Float32Array;
  sampleRate: number;
  channels: number;
  seconds: number;
}

/** The formats this server decodes, for messages and for clients asking. */
export const AUDIO_FORMATS = ['wav'] as const;

/**
 * Bytes → mono PCM. WAV is decoded in process; compressed formats are recognised and refused with a message
 * that says what is accepted. Longer than the limit is AUDIO_TOO_LONG.
 */
export function decodeAudio(media: MediaBytes, maxSeconds: number, what: string): DecodedAudio {
  if (media.bytes.length === 0) throw new MnemeError(ErrorCode.BAD_AUDIO, `${what} is empty (0 bytes).`);
  const format = sniffMedia(media.bytes);
  if (format !== 'wav') {
    const known = format === 'mp3' || format === 'flac' || format === 'ogg' ? `${format.toUpperCase()} ` : '';
    throw new MnemeError(
      ErrorCode.UNSUPPORTED_MEDIA_TYPE,
      `${what} (${media.label}) is ${known ? `${known}audio` : 'not audio this server decodes'}; this server accepts ` +
        'WAV (8/16/24/32-bit PCM or 32/64-bit float, any channel count and rate). Convert it, e.g. ' +
        '`ffmpeg -i in.mp3 out.wav`.',
    );
  }
  const pcm = decodeWav(media.bytes, what);
  const frames = pcm.channels[0]?.length ?? 0;
  if (frames === 0) throw new MnemeError(ErrorCode.BAD_AUDIO, `${what} holds no samples.`);
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
