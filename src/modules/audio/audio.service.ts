import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { rankLabels, textStanding, type RankedLabel } from '../../common/zero-shot.js';
import { AppConfig } from '../../config/app-config.js';
import type { Transcript } from '../../engines/onnx/onnx-models.js';
import { withSpan } from '../../telemetry/tracing.js';
import type { MediaInput } from '../media/media-input.js';
import { MediaReader } from '../media/media-reader.service.js';
import { AudioEmbedder } from './audio-embedder.service.js';
import { AudioWorkers, type PreparedAudio } from './audio-workers.service.js';
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

/** Hears: decodes audio once (in a worker thread, at the rates its models hear), then transcribes or embeds it. */
@Injectable()
export class AudioService {
  constructor(
    private readonly reader: MediaReader,
    private readonly workers: AudioWorkers,
    private readonly speech: SpeechToText,
    private readonly embedder: AudioEmbedder,
    private readonly config: AppConfig,
  ) {}

  async transcribe(
    input: MediaInput,
    language: string | undefined,
    trace: Context,
    signal?: AbortSignal,
  ): Promise<TranscriptResult> {
    const model = this.speech.model.name;
    return withSpan(
      'transcribe.audio',
      trace,
      { 'mneme.modality': 'audio', 'mneme.model': model },
      async (span) => {
        const rate = await this.speech.sampleRate();
        const audio = await this.decode(input, [rate], signal, span.setAttribute.bind(span));
        const transcript = await this.speech.transcribe(samplesAt(audio, rate), rate, language);
        return { ...transcript, seconds: audio.seconds, model };
      },
    );
  }

  async encode(input: MediaInput, trace: Context, signal?: AbortSignal): Promise<AudioVector> {
    const model = this.embedder.model.name;
    return withSpan(
      'encode.audio',
      trace,
      { 'mneme.modality': 'audio', 'mneme.model': model },
      async (span) => {
        const rate = await this.embedder.sampleRate();
        const audio = await this.decode(input, [rate], signal, span.setAttribute.bind(span));
        return {
          vector: await this.embedder.embed(samplesAt(audio, rate), rate),
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
  async perceive(input: MediaInput, trace: Context, signal?: AbortSignal): Promise<AudioPercept> {
    return withSpan(
      'perceive.audio',
      trace,
      { 'mneme.modality': 'audio', 'mneme.model': this.embedder.model.name },
      async (span) => {
        const [speechRate, embedRate] = [await this.speech.sampleRate(), await this.embedder.sampleRate()];
        const audio = await this.decode(input, [speechRate, embedRate], signal, span.setAttribute.bind(span));
        const transcript = await this.speech.transcribe(samplesAt(audio, speechRate), speechRate, undefined);
        const vector = await this.embedder.embed(samplesAt(audio, embedRate), embedRate);
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

  /**
   * How well `text` describes the clip in CLAP's own space, against the audio-event labels (0..1; undefined
   * without labels): alignment on an install with no fitted projection.
   */
  textStanding(audioVector: Float32Array, text: string): Promise<number | undefined> {
    return textStanding(this.embedder, audioVector, text, this.config.fusion.audioLabels);
  }

  private async decode(
    input: MediaInput,
    rates: number[],
    signal: AbortSignal | undefined,
    attribute: (key: string, value: number) => unknown,
  ): Promise<PreparedAudio> {
    const media = await this.reader.read(input, 'The audio');
    attribute('mneme.media.bytes', media.bytes.length);
    const audio = await this.workers.prepare(media, rates, 'The audio', signal);
    attribute('mneme.audio.seconds', audio.seconds);
    attribute('mneme.audio.sample_rate', audio.sourceRate);
    return audio;
  }
}

function samplesAt(audio: PreparedAudio, rate: number): Float32Array {
  const prepared = audio.byRate.find((r) => r.rate === rate);
  if (!prepared) throw new Error(`audio was not prepared at ${rate} Hz`);
  return prepared.samples;
}
