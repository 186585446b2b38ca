import { ModelCatalog, type CatalogEntry } from './model-catalog.js';

const entry = (name: string, overrides: Partial<CatalogEntry> = {}): CatalogEntry => ({
  name,
  kind: 'llm',
  state: 'ready',
  source: `/models/${name}`,
  testModel: false,
  ...overrides,
});

describe('ModelCatalog', () => {
  it('lists nothing before any room registers', () => {
    expect(new ModelCatalog().list()).toEqual([]);
  });

  it('concatenates every reporter in registration order, keeping each entry intact', () => {
    const catalog = new ModelCatalog();
    const llm = entry('qwen', { contextSize: 4096, parallel: 2 });
    const clip = entry('clip', { kind: 'vision', testModel: true });
    const whisper = entry('whisper', { kind: 'speech-to-text', state: 'failed', error: 'no such file' });
    const clap = entry('clap', { kind: 'audio-embedding', state: 'loading' });
    catalog.register(() => [llm]);
    catalog.register(() => [clip, whisper]);
    catalog.register(() => []);
    catalog.register(() => [clap]);
    expect(catalog.list()).toEqual([llm, clip, whisper, clap]);
  });

  it('asks every reporter afresh on each list()', () => {
    const catalog = new ModelCatalog();
    let state: CatalogEntry['state'] = 'loading';
    let calls = 0;
    catalog.register(() => {
      calls++;
      return [entry('clip', { kind: 'vision', state })];
    });
    expect(catalog.list().map((e) => e.state)).toEqual(['loading']);
    state = 'ready';
    expect(catalog.list().map((e) => e.state)).toEqual(['ready']);
    state = 'unloaded';
    expect(catalog.list().map((e) => e.state)).toEqual(['unloaded']);
    expect(calls).toBe(3);
  });

  it('reflects a reporter whose set of models grows and shrinks', () => {
    const catalog = new ModelCatalog();
    const loaded: CatalogEntry[] = [];
    catalog.register(() => [...loaded]);
    catalog.register(() => [entry('fixed')]);
    expect(catalog.list().map((e) => e.name)).toEqual(['fixed']);
    loaded.push(entry('a'), entry('b'));
    expect(catalog.list().map((e) => e.name)).toEqual(['a', 'b', 'fixed']);
    loaded.splice(0, 1);
    expect(catalog.list().map((e) => e.name)).toEqual(['b', 'fixed']);
  });

  it('includes a reporter registered after an earlier list()', () => {
    const catalog = new ModelCatalog();
    catalog.register(() => [entry('first')]);
    expect(catalog.list()).toHaveLength(1);
    catalog.register(() => [entry('second')]);
    expect(catalog.list().map((e) => e.name)).toEqual(['first', 'second']);
  });

  it('returns a new array each time, so callers cannot corrupt the next listing', () => {
    const catalog = new ModelCatalog();
    catalog.register(() => [entry('a')]);
    const first = catalog.list();
    first.push(entry('intruder'));
    first.length = 0;
    expect(catalog.list().map((e) => e.name)).toEqual(['a']);
  });
});
