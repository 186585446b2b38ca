import path from 'node:path';
import { Injectable } from '@nestjs/common';
import { packageRoot } from '../../common/package-root.js';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { ModelHost } from '../../engines/onnx/lazy-model.js';
import { fingerprintModel } from '../../engines/onnx/model-fingerprint.js';
import { TextEmbedder } from '../../engines/onnx/onnx-models.js';

export interface EmbedderIdentity {
  name: string;
  dims: number;
  space: string;
}

export const BUNDLED_TEXT_EMBEDDER = 'test/fixtures/models/tiny-bert';

/** The local text-embedding model episodic memory is indexed with (e.g. all-MiniLM-L6-v2, 384 dims). */
@Injectable()
export class TextEmbedderService extends ModelHost<TextEmbedder> {
  private readonly dtype: string;
  private space: string | undefined;

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
    this.dtype = config.memory.textEmbeddingDtype ?? 'fp32';
  }

  /**
   * The model's name, output width and vector space: what each episode's vector was computed with. The space
   * is a fingerprint of the weights, so the same model in another folder is the same space.
   */
  async identity(): Promise<EmbedderIdentity> {
    const dims = (await this.lazy.get()).dims;
    this.space ??= fingerprintModel(this.model.folder, this.dtype);
    return { name: this.model.name, dims, space: this.space };
  }

  /** The bundled random-weight model's space: memory embedded in it is noise to re-embed with a real model. */
  testModelSpace(): string {
    return fingerprintModel(path.join(packageRoot(), BUNDLED_TEXT_EMBEDDER), this.dtype);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return (await this.lazy.get()).embed(texts);
  }
}
