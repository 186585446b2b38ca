import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { abortError } from '../../common/abort.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { workerModule } from '../../engines/workers/worker-module.js';
import { QueueFullError, WorkerPool } from '../../engines/workers/worker-pool.adapter.js';
import type { MediaBytes } from '../media/media-reader.service.js';
import type { AudioTask, AudioTaskResult, DecoderLog, PreparedAudio } from './audio.worker.js';

export type { PreparedAudio };

// Decoder chatter reaches the log at most once per interval, with a count of what was held back.
const LOG_INTERVAL_MS = 10_000;

/** Decodes and resamples audio in worker threads, so a long or hostile file never holds the event loop. */
@Injectable()
export class AudioWorkers implements OnApplicationShutdown {
  private readonly logger = new Logger('AudioDecoder');
  private readonly pool: WorkerPool;
  private lastLogAt = Number.NEGATIVE_INFINITY;
  private heldBack = 0;
  private stopped = 0;

  constructor(private readonly config: AppConfig) {
    this.pool = new WorkerPool({
      file: workerModule('audio.worker', import.meta.url),
      threads: config.perception.mediaWorkers,
      maxQueue: 64,
      heapMb: 512,
    });
  }

  /** Mono samples at each of `rates`; coded errors (BAD_AUDIO, AUDIO_TOO_LONG, ...) as the decoder found them. */
  async prepare(
    media: MediaBytes,
    rates: number[],
    what: string,
    signal?: AbortSignal,
  ): Promise<PreparedAudio> {
    const task: AudioTask = {
      bytes: media.bytes,
      label: media.label,
      what,
      maxSeconds: this.config.perception.maxAudioSeconds,
      rates,
    };
    let result: AudioTaskResult;
    try {
      result = await this.pool.run<AudioTaskResult>(task, signal);
    } catch (error) {
      throw this.failure(error, what, signal);
    }
    this.report(result.log, what);
    if (!result.ok)
      throw new MnemeError(result.error.code, result.error.message, { details: result.error.details });
    return result.audio;
  }

  /** Tasks whose worker died or threw something uncoded: each is a decoder bug a file found. */
  get workerFailures(): number {
    return this.stopped;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.close();
  }

  private failure(error: unknown, what: string, signal: AbortSignal | undefined): MnemeError {
    if (signal?.aborted) return abortError(signal);
    if (error instanceof QueueFullError) {
      return new MnemeError(
        ErrorCode.OVERLOADED,
        'Too many audio files are waiting to be decoded; retry shortly.',
        {
          retryAfterSeconds: 2,
        },
      );
    }
    // The worker itself died (out of its heap, a crash in a decoder): the file is what broke it.
    this.stopped++;
    this.logger.warn(`Decoding ${what.toLowerCase()} stopped its worker: ${(error as Error).message}`);
    return new MnemeError(ErrorCode.BAD_AUDIO, `${what} could not be decoded (the decoder stopped on it).`);
  }

  private report(log: DecoderLog, what: string): void {
    if (log.lines === 0) return;
    const now = Date.now();
    if (now - this.lastLogAt < LOG_INTERVAL_MS) {
      this.heldBack++;
      return;
    }
    const held = this.heldBack
      ? ` (${this.heldBack} more files with decoder messages since the last line)`
      : '';
    this.logger.warn(
      `The decoder said ${log.lines} thing(s) about ${what.toLowerCase()}, first: ${log.first}${held}`,
    );
    this.lastLogAt = now;
    this.heldBack = 0;
  }
}
