import { sha256 } from '../../common/content-hash.js';
import type { ErrorCode } from '../../common/error-codes.js';
import { isMnemeError } from '../../common/mneme-error.js';
import { transferring } from '../../engines/workers/worker-pool.adapter.js';
import { decodeAudio } from './audio-decoder.js';
import { resample } from './resampler.js';

// A worker thread: decoding and resampling run here, off the event loop. Decoders write to the console on
// every bad frame (hundreds of thousands of lines for one corrupt file); in this thread the console only counts,
// and the server logs one line per task that had anything to say.

export interface AudioTask {
  bytes: Uint8Array;
  label: string;
  what: string;
  maxSeconds: number;
  /** The rates the consumers want the mono samples at. */
  rates: number[];
}

export interface PreparedAudio {
  /** Content hash of the file as received (hex), computed here: hashing megabytes takes the event loop too. */
  sha256: string;
  seconds: number;
  channels: number;
  sourceRate: number;
  byRate: { rate: number; samples: Float32Array }[];
}

export interface DecoderLog {
  lines: number;
  first: string | undefined;
}

export type AudioTaskResult =
  | { ok: true; audio: PreparedAudio; log: DecoderLog }
  | {
      ok: false;
      error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
      log: DecoderLog;
    };

const log: DecoderLog = { lines: 0, first: undefined };
const count = (...args: unknown[]) => {
  log.lines++;
  log.first ??= args.map(String).join(' ').replace(/\s+/g, ' ').slice(0, 200);
};
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) console[method] = count;

export default async function prepareAudio(task: AudioTask): Promise<AudioTaskResult> {
  log.lines = 0;
  log.first = undefined;
  try {
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    const decoded = await decodeAudio({ bytes, label: task.label }, task.maxSeconds, task.what);
    const byRate = [...new Set(task.rates)].map((rate) => ({
      rate,
      samples: resample(decoded.samples, decoded.sampleRate, rate),
    }));
    const audio = {
      sha256: sha256(bytes),
      seconds: decoded.seconds,
      channels: decoded.channels,
      sourceRate: decoded.sampleRate,
      byRate,
    };
    const buffers = [...new Set(byRate.map((r) => r.samples.buffer as ArrayBuffer))];
    return transferring({ ok: true, audio, log: { ...log } }, buffers);
  } catch (error) {
    if (!isMnemeError(error)) throw error;
    return {
      ok: false,
      error: { code: error.code, message: error.message, details: error.details },
      log: { ...log },
    };
  }
}
