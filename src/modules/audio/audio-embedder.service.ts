import { Injectable } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { meanNormalized, normalize } from '../../common/vector.js';
import { AppConfig } from '../../config/app-config.js';
import { LazyModel, ModelHost } from '../../engines/onnx/lazy-model.js';
import { locateModelFolder } from '../../engines/onnx/model-folder.js';
import { ClapTowers } from '../../engines/onnx/transformers.adapter.js';
import { resample } from './resampler.js';

export const BUNDLED_CLAP = 'test/fixtures/models/tiny-clap';

/** Audio embeddings with a CLAP-family model, whose text tower shares the space. */
@Injectable()
export class AudioEmbedder extends ModelHost<ClapTowers> {
  constructor(config: AppConfig, catalog: ModelCatalog) {
    const model = locateModelFolder(
      config.perception.audioEmbeddingModel,
      config.llm.modelsDir,
      'clap',
      BUNDLED_CLAP,
      'MNEME_AUDIO_EMBEDDING_MODEL',
    );
    super(
      new LazyModel(
        model,
        'audio-embedding',
        (folder) => ClapTowers.load(folder, config.perception.dtype),
        catalog,
        'Put a transformers.js CLAP folder at ./models/clap or set MNEME_AUDIO_EMBEDDING_MODEL.',
      ),
      config.perception.preload,
    );
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
}
