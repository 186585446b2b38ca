export const MODEL_KINDS = ['llm', 'vision', 'speech-to-text', 'audio-embedding', 'text-embedding'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type CatalogState = 'loading' | 'ready' | 'failed' | 'unloaded';

/** What a managed model reports beyond its state (language models served by the fleet). */
export interface ModelStats {
  /** The model requests without one (or naming `default`) get. */
  isDefault?: boolean;
  /** The file's size, once it is known (after a pull). */
  diskBytes?: number;
  /** RAM it will hold loaded (the file's own estimate), and holds now (what its runtime reports). */
  memoryEstimateBytes?: number;
  memoryBytes?: number;
  /** Epoch ms of the last load and of the last request's end. */
  loadedAt?: number;
  lastUsedAt?: number;
  loadMs?: number;
  /** Generations completed on it since start. */
  requests?: number;
  ttftP50Ms?: number;
  decodeTokensPerSecondP50?: number;
  /** Idle seconds before it is unloaded; -1: until the budget needs its room. */
  keepAliveSeconds?: number;
}

export interface CatalogEntry extends ModelStats {
  name: string;
  kind: ModelKind;
  state: CatalogState;
  source: string;
  /** A bundled random-weight test model: it runs, but its outputs are noise. */
  testModel: boolean;
  error?: string;
  contextSize?: number;
  parallel?: number;
}

/** Every loaded or loadable model, whatever room owns it; rooms register a reporter, readers list them all. */
export class ModelCatalog {
  private readonly reporters: (() => CatalogEntry[])[] = [];

  register(reporter: () => CatalogEntry[]): void {
    this.reporters.push(reporter);
  }

  /** By kind in MODEL_KINDS order, whatever order the rooms registered in (module init order is Nest's). */
  list(): CatalogEntry[] {
    const rank = (entry: CatalogEntry) => MODEL_KINDS.indexOf(entry.kind);
    return this.reporters.flatMap((report) => report()).sort((a, b) => rank(a) - rank(b));
  }
}
