import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { ModelCatalog, type CatalogState } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { locateModelFolder, readModelJson, type ModelFolder } from '../../engines/onnx/model-folder.js';
import { ClipTowers } from '../../engines/onnx/transformers.adapter.js';
import { ImagePreprocessor, type PreprocessorConfig } from './image-preprocessor.js';

export const BUNDLED_CLIP = 'test/fixtures/models/tiny-clip';
const LABEL_CACHE_LIMIT = 4096;

/** The CLIP-family model: loaded once (at boot or first use), its label embeddings cached. */
@Injectable()
export class ClipEncoder implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Vision');
  readonly model: ModelFolder;
  readonly preprocessor: ImagePreprocessor;
  private towers: Promise<ClipTowers> | undefined;
  private state: CatalogState = 'unloaded';
  private loadError: string | undefined;
  private readonly labelCache = new Map<string, Float32Array>();

  constructor(
    private readonly config: AppConfig,
    catalog: ModelCatalog,
  ) {
    this.model = locateModelFolder(
      config.perception.visionModel,
      config.llm.modelsDir,
      'clip',
      BUNDLED_CLIP,
      'MNEME_VISION_MODEL',
    );
    this.preprocessor = new ImagePreprocessor(
      readModelJson<PreprocessorConfig>(this.model.folder, 'preprocessor_config.json'),
    );
    catalog.register(() => [
      {
        name: this.model.name,
        kind: 'vision',
        state: this.state,
        source: this.model.folder,
        testModel: this.model.testModel,
        ...(this.loadError === undefined ? {} : { error: this.loadError }),
      },
    ]);
  }

  async onModuleInit(): Promise<void> {
    if (!this.config.perception.preload) return;
    await this.ready().catch(() => undefined); // logged and reported as failed; requests get MODEL_UNAVAILABLE
  }

  async onApplicationShutdown(): Promise<void> {
    const towers = this.towers;
    this.towers = undefined;
    this.state = 'unloaded';
    await towers?.then((t) => t.dispose()).catch(() => undefined);
  }

  /** Normalized embeddings of preprocessed images (one batch). */
  async embedImages(pixels: Float32Array, count: number): Promise<Float32Array[]> {
    const towers = await this.ready();
    const rows = await towers.embedImages(
      pixels,
      count,
      this.preprocessor.outputHeight,
      this.preprocessor.outputWidth,
    );
    return rows.map(normalize);
  }

  /** Normalized embeddings of label texts, computed once per label. */
  async embedLabels(labels: string[]): Promise<Float32Array[]> {
    const missing = [...new Set(labels.filter((l) => !this.labelCache.has(l)))];
    if (missing.length > 0) {
      const towers = await this.ready();
      const rows = await towers.embedTexts(missing);
      if (this.labelCache.size + missing.length > LABEL_CACHE_LIMIT) this.labelCache.clear();
      missing.forEach((label, i) => this.labelCache.set(label, normalize(rows[i]!)));
    }
    return labels.map((l) => this.labelCache.get(l)!);
  }

  private ready(): Promise<ClipTowers> {
    if (!this.towers) {
      this.state = 'loading';
      if (this.model.testModel) {
        this.logger.warn(
          `No vision model configured: using the bundled random-weight ${this.model.name}; labels are noise. ` +
            'Put a transformers.js CLIP folder at ./models/clip or set MNEME_VISION_MODEL.',
        );
      }
      this.towers = ClipTowers.load(this.model.folder).then(
        (towers) => {
          this.state = 'ready';
          return towers;
        },
        (error: Error) => {
          this.state = 'failed';
          this.loadError = error.message;
          this.towers = undefined; // a later request retries the load
          this.logger.error(`Loading ${this.model.folder} failed: ${error.message}`);
          throw new MnemeError(
            ErrorCode.MODEL_UNAVAILABLE,
            `The vision model could not be loaded: ${error.message}`,
          );
        },
      );
    }
    return this.towers;
  }
}

function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum) || 1;
  return vector.map((v) => v / norm);
}
