import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StateStore } from './state-store.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'mneme-state-store-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const alice = { tenant: 'alice', sessionId: 's1' };
const writer = (bytes: number) => (file: string) => {
  writeFileSync(file, Buffer.alloc(bytes, 7));
  return Promise.resolve(bytes);
};
const always = () => true;

async function storeOf(model = 'model-a', budget = 10_000): Promise<StateStore> {
  const store = new StateStore(dir, model, budget);
  await store.open();
  return store;
}

describe('StateStore', () => {
  it('finds the tenant’s state sharing the longest prefix, and survives a restart', async () => {
    const store = await storeOf();
    await store.save(alice, [1, 2, 3, 4], writer(100), always);
    await store.save({ tenant: 'alice', sessionId: 's2' }, [1, 2, 9], writer(100), always);
    expect(store.best('alice', [1, 2, 3, 4, 5])?.matched).toBe(4);
    const reopened = await storeOf();
    expect(reopened.size).toBe(2);
    expect(reopened.best('alice', [1, 2, 9, 9])?.state.owner).toEqual({ tenant: 'alice', sessionId: 's2' });
    expect(reopened.best('bob', [1, 2, 3, 4])).toBeUndefined();
  });

  it('never shows a state to another model: its folder is another, and a sidecar naming another model is deleted', async () => {
    const a = await storeOf('model-a');
    const saved = await a.save(alice, [1, 2, 3], writer(100), always);
    expect((await storeOf('model-b')).best('alice', [1, 2, 3])).toBeUndefined();
    // A sidecar moved into model-a's folder but written under model-b is refused on open.
    const sidecar = saved!.file.replace(/\.state$/, '.json');
    const json = JSON.parse(readFileSync(sidecar, 'utf8')) as { model: string };
    writeFileSync(sidecar, JSON.stringify({ ...json, model: 'model-b' }));
    const reopened = await storeOf('model-a');
    expect(reopened.size).toBe(0);
    expect(readdirSync(path.dirname(sidecar))).toEqual([]);
  });

  it('keeps to its byte budget, least recently used out first', async () => {
    const store = await storeOf('model-a', 250);
    const first = await store.save(alice, [1, 1, 1], writer(100), always);
    await store.save({ tenant: 'alice', sessionId: 's2' }, [2, 2, 2], writer(100), always);
    expect(await store.load(first!, () => Promise.resolve())).toBe(true); // first is now the most recent
    await store.save({ tenant: 'alice', sessionId: 's3' }, [3, 3, 3], writer(100), always);
    expect(store.size).toBe(2);
    expect(store.bytes).toBeLessThanOrEqual(250);
    expect(store.best('alice', [2, 2, 2])?.matched ?? 0).toBe(0);
    expect(store.best('alice', [1, 1, 1])?.matched).toBe(3);
  });

  it('replaces a session’s state by its newer one, any state by one that extends it, and refuses one larger than the budget', async () => {
    const store = await storeOf('model-a', 150);
    await store.save(alice, [1, 2], writer(40), always);
    await store.save(alice, [1, 3], writer(40), always);
    expect(store.size).toBe(1);
    await store.save({ tenant: 'alice' }, [1, 3, 4], writer(40), always);
    expect(store.size).toBe(1);
    expect(store.best('alice', [1, 3, 4])?.state.owner).toEqual({ tenant: 'alice' });
    await expect(store.save(alice, [4], writer(200), always)).rejects.toThrow('larger than the whole budget');
    expect(store.size).toBe(1);
  });

  it('skips a save that was forgotten before its turn, and loads nothing that was removed', async () => {
    const store = await storeOf();
    expect(await store.save(alice, [1, 2], writer(50), () => false)).toBeUndefined();
    const saved = await store.save(alice, [1, 2], writer(50), always);
    expect(await store.remove({ tenant: 'alice', sessionId: 's1' })).toBe(1);
    expect(await store.load(saved!, () => Promise.reject(new Error('must not read')))).toBe(false);
  });
});
