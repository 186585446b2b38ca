import { Injectable } from '@nestjs/common';
import { sha256 } from '../../common/content-hash.js';
import type { Context } from '@opentelemetry/api';
import { rankLabels, type RankedLabel } from '../../common/zero-shot.js';
import { AppConfig } from '../../config/app-config.js';
import type { Transcript } from '../../engines/onnx/transformers.adapter.js';
import { withSpan } from '../../telemetry/tracing.js';
import type { MediaInput } from '../media/media-input.js';
import { MediaReader } from '../media/media-reader.service.js';
import { AudioEmbedder } from './audio-embedder.service.js';
import { decodeAudio, type DecodedAudio } from './audio-decoder.js';
import { SpeechToText } from './speech-recognizer.service.js';

export interface TranscriptResult extends Transcript {
  seconds: number;
  model: string;
}

export interface AudioVector {
  vector: Float32Array;
  seconds: number;
  model: string;
}

export interface AudioPercept {
  transcript: string;
  language: string | null;
  /** Normalized CLAP embedding of the whole clip. */
  vector: Float32Array;
  /** Audio-event labels, best first. */
  events: RankedLabel[];
  seconds: number;
  /** Content hash of the file as received (hex). */
  sha256: string;
}

/** Hears: decodes audio once, then transcribes it or embeds it. */
@Injectable()
export class AudioService {
  constructor(
    private readonly reader: MediaReader,
    private readonly speech: SpeechToText,
    private readonly embedder: AudioEmbedder,
    private readonly config: AppConfig,
  ) {}

  async transcribe(
    input: MediaInput,
    language: string | undefined,
    trace: Context,
  ): Promise<TranscriptResult> {
    const model = this.speech.model.name;
    return withSpan(
      'transcribe.audio',
      trace,
      { 'mneme.modality': 'audio', 'mneme.model': model },
      async (span) => {
        const audio = await this.decode(input, span.setAttribute.bind(span));
        const transcript = await this.speech.transcribe(audio.samples, audio.sampleRate, language);
        return { ...transcript, seconds: audio.seconds, model };
      },
    );
  }

  async encode(input: MediaInput, trace: Context): Promise<AudioVector> {
    const model = this.embedder.model.name;
    return withSpan(
      'encode.audio',
      trace,
      { 'mneme.modality': 'audio', 'mneme.model': model },
      async (span) => {
        const audio = await this.decode(input, span.setAttribute.bind(span));
        return {
          vector: await this.embedder.embed(audio.samples, audio.sampleRate),
          seconds: audio.seconds,
          model,
        };
      },
    );
  }

  /**
   * Everything an ask needs from one clip, decoding it once: the transcript, the CLAP embedding and the
   * audio-event labels it scores best on.
   */
  async perceive(input: MediaInput, trace: Context): Promise<AudioPercept> {
    return withSpan(
      'perceive.audio',
      trace,
      { 'mneme.modality': 'audio', 'mneme.model': this.embedder.model.name },
      async (span) => {
        const audio = await this.decode(input, span.setAttribute.bind(span));
        const transcript = await this.speech.transcribe(audio.samples, audio.sampleRate, undefined);
        const vector = await this.embedder.embed(audio.samples, audio.sampleRate);
        const labels = this.config.fusion.audioLabels;
        const events = labels.length
          ? rankLabels(vector, labels, await this.embedder.embedLabels(labels))
          : [];
        return {
          transcript: transcript.text,
          language: transcript.language,
          vector,
          events,
          seconds: audio.seconds,
          sha256: audio.sha256,
        };
      },
    );
  }

  private async decode(
    input: MediaInput,
    attribute: (key: string, value: number) => unknown,
  ): Promise<DecodedAudio & { sha256: string }> {
    const media = await this.reader.read(input, 'The audio');
    attribute('mneme.media.bytes', media.bytes.length);
    const audio = await decodeAudio(media, this.config.perception.maxAudioSeconds, 'The audio');
    attribute('mneme.audio.seconds', audio.seconds);
    attribute('mneme.audio.sample_rate', audio.sampleRate);
    return { ...audio, sha256: sha256(media.bytes) };
  }
}
