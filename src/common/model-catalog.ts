export const MODEL_KINDS = ['llm', 'vision', 'speech-to-text', 'audio-embedding', 'text-embedding'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];
export type CatalogState = 'loading' | 'ready' | 'failed' | 'unloaded';

export interface CatalogEntry {
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
