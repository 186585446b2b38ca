import { Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { CatalogState, ModelCatalog, ModelKind } from '../../common/model-catalog.js';
import { locateModelFolder, type ModelFolder } from './model-folder.js';

/**
 * One model's lifecycle: loaded once (at boot or on first use), listed in the catalog with its state, and
 * retried on the next request after a failed load, so a failure never leaves a half-loaded model behind.
 */
export class LazyModel<T extends { dispose(): Promise<void> }> {
  private readonly logger: Logger;
  private loading: Promise<T> | undefined;
  private state: CatalogState = 'unloaded';
  private error: string | undefined;

  constructor(
    readonly model: ModelFolder,
    private readonly kind: ModelKind,
    private readonly load: (folder: string) => Promise<T>,
    catalog: ModelCatalog,
    private readonly configureHint: string,
  ) {
    this.logger = new Logger(`Model:${kind}`);
    catalog.register(() => [
      {
        name: model.name,
        kind,
        state: this.state,
        source: model.folder,
        testModel: model.testModel,
        ...(this.error === undefined ? {} : { error: this.error }),
      },
    ]);
  }

  /** The loaded model; MODEL_UNAVAILABLE when it cannot be loaded. */
  get(): Promise<T> {
    if (!this.loading) {
      this.state = 'loading';
      if (this.model.testModel) {
        this.logger.warn(
          `No ${this.kind} model configured: using the bundled random-weight ${this.model.name}, ` +
            `whose outputs are noise. ${this.configureHint}`,
        );
      }
      this.loading = this.load(this.model.folder).then(
        (loaded) => {
          this.state = 'ready';
          this.error = undefined;
          return loaded;
        },
        (error: Error) => {
          this.state = 'failed';
          this.error = error.message;
          this.loading = undefined;
          this.logger.error(`Loading ${this.model.folder} failed: ${error.message}`);
          throw new MnemeError(
            ErrorCode.MODEL_UNAVAILABLE,
            `The ${this.kind} model could not be loaded: ${error.message}`,
          );
        },
      );
    }
    return this.loading;
  }

  /** Loads now, logging rather than throwing (boot-time preload). */
  async preload(): Promise<void> {
    await this.get().catch(() => undefined);
  }

  async dispose(): Promise<void> {
    const loading = this.loading;
    this.loading = undefined;
    this.state = 'unloaded';
    await loading?.then((m) => m.dispose()).catch(() => undefined);
  }
}

export interface ModelHostSpec<T> {
  kind: ModelKind;
  /** The folder the user configured, if any. */
  configured: string | undefined;
  modelsDir: string;
  /** Folder name looked for inside the models dir, e.g. `clip`. */
  conventional: string;
  /** Package-relative fallback folder (a random-weight fixture). */
  bundled: string;
  /** The variable that configures it, named in messages. */
  variable: string;
  /** What a suitable folder is, for the hint, e.g. "a transformers.js CLIP folder". */
  describe: string;
  load: (folder: string) => Promise<T>;
  preload: boolean;
}

/** A Nest provider that owns one LazyModel: preloads it at boot when configured and releases it at shutdown. */
export abstract class ModelHost<T extends { dispose(): Promise<void> }> {
  protected readonly lazy: LazyModel<T>;
  private readonly preloadAtBoot: boolean;

  protected constructor(spec: ModelHostSpec<T>, catalog: ModelCatalog) {
    const model = locateModelFolder(
      spec.configured,
      spec.modelsDir,
      spec.conventional,
      spec.bundled,
      spec.variable,
    );
    const hint = `Put ${spec.describe} at ./models/${spec.conventional} or set ${spec.variable}.`;
    this.lazy = new LazyModel(model, spec.kind, spec.load, catalog, hint);
    this.preloadAtBoot = spec.preload;
  }

  get model(): ModelFolder {
    return this.lazy.model;
  }

  async onModuleInit(): Promise<void> {
    if (this.preloadAtBoot) await this.lazy.preload();
  }

  onApplicationShutdown(): Promise<void> {
    return this.lazy.dispose();
  }
}
