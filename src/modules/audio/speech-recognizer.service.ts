import { Injectable } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { ModelHost } from '../../engines/onnx/lazy-model.js';
import { SpeechRecognizer, type Transcript } from '../../engines/onnx/onnx-models.js';
import { resample } from './resampler.js';

export const BUNDLED_ASR = 'test/fixtures/models/tiny-whisper';

// Whisper sees 30 s windows; CTC models any length, but attention cost grows with the square of it.
const WINDOWS = {
  whisper: { chunkSeconds: 30, strideSeconds: 5 },
  ctc: { chunkSeconds: 20, strideSeconds: 2 },
};

/** Speech-to-text: Whisper or a CTC model (wav2vec2 family), as the model folder's config says. */
@Injectable()
export class SpeechToText extends ModelHost<SpeechRecognizer> {
  constructor(config: AppConfig, catalog: ModelCatalog) {
    super(
      {
        kind: 'speech-to-text',
        configured: config.perception.asrModel,
        modelsDir: config.llm.modelsDir,
        conventional: 'asr',
        bundled: BUNDLED_ASR,
        variable: 'MNEME_ASR_MODEL',
        describe: 'a transformers.js Whisper or wav2vec2-CTC folder',
        load: (folder) => SpeechRecognizer.load(folder, config.perception.dtype.asr),
        preload: config.perception.preload,
      },
      catalog,
    );
  }

  /** The rate the model hears at (loads it if needed): audio is prepared at this rate. */
  async sampleRate(): Promise<number> {
    return (await this.lazy.get()).sampleRate;
  }

  /** Transcribes mono audio at `sampleRate`, resampled to the model's rate, long audio in overlapping windows. */
  async transcribe(samples: Float32Array, sampleRate: number, language?: string): Promise<Transcript> {
    const recognizer = await this.lazy.get();
    const audio = resample(samples, sampleRate, recognizer.sampleRate);
    return recognizer.transcribe(audio, { ...WINDOWS[recognizer.family], ...(language ? { language } : {}) });
  }
}
