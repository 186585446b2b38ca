import { Injectable } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { ModelHost } from '../../engines/onnx/lazy-model.js';
import { TextEmbedder } from '../../engines/onnx/onnx-models.js';

export const BUNDLED_TEXT_EMBEDDER = 'test/fixtures/models/tiny-bert';

/** The local text-embedding model episodic memory is indexed with (e.g. all-MiniLM-L6-v2, 384 dims). */
@Injectable()
export class TextEmbedderService extends ModelHost<TextEmbedder> {
  constructor(config: AppConfig, catalog: ModelCatalog) {
    super(
      {
        kind: 'text-embedding',
        configured: config.memory.textEmbeddingModel,
        modelsDir: config.llm.modelsDir,
        conventional: 'text-embedding',
        bundled: BUNDLED_TEXT_EMBEDDER,
        variable: 'MNEME_TEXT_EMBEDDING_MODEL',
        describe: 'a transformers.js sentence-embedding folder (e.g. all-MiniLM-L6-v2)',
        load: (folder) => TextEmbedder.load(folder, config.memory.textEmbeddingDtype),
        preload: true, // episodic memory needs its width at boot to open its table
      },
      catalog,
    );
  }

  /** The model's name and output width: what an episodic table was built with. */
  async identity(): Promise<{ name: string; dims: number }> {
    return { name: this.model.name, dims: (await this.lazy.get()).dims };
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return (await this.lazy.get()).embed(texts);
  }
}
