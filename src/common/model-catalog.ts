export type ModelKind = 'llm' | 'vision' | 'speech-to-text' | 'audio-embedding' | 'text-embedding';
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

  list(): CatalogEntry[] {
    return this.reporters.flatMap((report) => report());
  }
}
