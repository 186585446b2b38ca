import { Injectable } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { ModelHost } from '../../engines/onnx/lazy-model.js';
import { readModelJson } from '../../engines/onnx/model-folder.js';
import { ClipTowers } from '../../engines/onnx/onnx-models.js';
import { normalize } from '../../common/vector.js';
import { ImagePreprocessor, type PreprocessorConfig } from './image-preprocessor.js';

export const BUNDLED_CLIP = 'test/fixtures/models/tiny-clip';
const LABEL_CACHE_LIMIT = 4096;

/** The CLIP-family model: loaded once (at boot or first use), its label embeddings cached. */
@Injectable()
export class ClipEncoder extends ModelHost<ClipTowers> {
  readonly preprocessor: ImagePreprocessor;
  private readonly labelCache = new Map<string, Float32Array>();

  constructor(config: AppConfig, catalog: ModelCatalog) {
    super(
      {
        kind: 'vision',
        configured: config.perception.visionModel,
        modelsDir: config.llm.modelsDir,
        conventional: 'clip',
        bundled: BUNDLED_CLIP,
        variable: 'MNEME_VISION_MODEL',
        describe: 'a transformers.js CLIP folder',
        load: (folder) => ClipTowers.load(folder, config.perception.dtype.vision),
        preload: config.perception.preload,
      },
      catalog,
    );
    this.preprocessor = new ImagePreprocessor(
      readModelJson<PreprocessorConfig>(this.model.folder, 'preprocessor_config.json'),
    );
  }

  /** Normalized embeddings of preprocessed images (one batch). */
  async embedImages(pixels: Float32Array, count: number): Promise<Float32Array[]> {
    const towers = await this.lazy.get();
    const rows = await towers.embedImages(
      pixels,
      count,
      this.preprocessor.outputHeight,
      this.preprocessor.outputWidth,
    );
    return rows.map(normalize);
  }

  /** Normalized embeddings of texts, uncached. */
  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    return (await (await this.lazy.get()).embedTexts(texts)).map(normalize);
  }

  /** Normalized embeddings of label texts, computed once per label. */
  async embedLabels(labels: string[]): Promise<Float32Array[]> {
    const missing = [...new Set(labels.filter((l) => !this.labelCache.has(l)))];
    if (missing.length > 0) {
      const rows = await (await this.lazy.get()).embedTexts(missing);
      if (this.labelCache.size + missing.length > LABEL_CACHE_LIMIT) this.labelCache.clear();
      missing.forEach((label, i) => this.labelCache.set(label, normalize(rows[i]!)));
    }
    return labels.map((l) => this.labelCache.get(l)!);
  }
}
