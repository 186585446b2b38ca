import { Injectable } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { meanNormalized, normalize } from '../../common/vector.js';
import { AppConfig } from '../../config/app-config.js';
import { ModelHost } from '../../engines/onnx/lazy-model.js';
import { ClapTowers } from '../../engines/onnx/onnx-models.js';
import { resample } from './resampler.js';

const LABEL_CACHE_LIMIT = 4096;

export const BUNDLED_CLAP = 'test/fixtures/models/tiny-clap';

/** Audio embeddings with a CLAP-family model, whose text tower shares the space. */
@Injectable()
export class AudioEmbedder extends ModelHost<ClapTowers> {
  private readonly labelCache = new Map<string, Float32Array>();

  constructor(config: AppConfig, catalog: ModelCatalog) {
    super(
      {
        kind: 'audio-embedding',
        configured: config.perception.audioEmbeddingModel,
        modelsDir: config.llm.modelsDir,
        conventional: 'clap',
        bundled: BUNDLED_CLAP,
        variable: 'MNEME_AUDIO_EMBEDDING_MODEL',
        describe: 'a transformers.js CLAP folder',
        load: (folder) => ClapTowers.load(folder, config.perception.dtype.audioEmbedding),
        preload: config.perception.preload,
      },
      catalog,
    );
  }

  /** The rate the model hears at (loads it if needed): audio is prepared at this rate. */
  async sampleRate(): Promise<number> {
    return (await this.lazy.get()).sampleRate;
  }

  /**
   * One normalized embedding for the whole clip: audio longer than the model's window is cut into consecutive
   * windows whose embeddings are averaged (the feature extractor would otherwise crop at a random offset).
   */
  async embed(samples: Float32Array, sampleRate: number): Promise<Float32Array> {
    const towers = await this.lazy.get();
    const audio = resample(samples, sampleRate, towers.sampleRate);
    const window = Math.round(towers.windowSeconds * towers.sampleRate);
    const vectors: Float32Array[] = [];
    for (let start = 0; start < audio.length; start += window) {
      vectors.push(await towers.embedAudio(audio.subarray(start, Math.min(audio.length, start + window))));
    }
    return vectors.length === 1 ? normalize(vectors[0]!) : meanNormalized(vectors.map(normalize));
  }

  /** Normalized embeddings of texts from the CLAP text tower (the space audio embeddings share). */
  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    return (await (await this.lazy.get()).embedTexts(texts)).map(normalize);
  }

  /** Like embedTexts, computed once per label (the audio-event label set is asked for on every ask). */
  async embedLabels(labels: string[]): Promise<Float32Array[]> {
    const missing = [...new Set(labels.filter((l) => !this.labelCache.has(l)))];
    if (missing.length > 0) {
      const rows = await this.embedTexts(missing);
      if (this.labelCache.size + missing.length > LABEL_CACHE_LIMIT) this.labelCache.clear();
      missing.forEach((label, i) => this.labelCache.set(label, rows[i]!));
    }
    return labels.map((l) => this.labelCache.get(l)!);
  }
}
