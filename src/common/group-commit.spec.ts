import { GroupCommit } from './group-commit.js';

/** A flush that records its batches and completes only when released. */
function gatedFlush() {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  let fail: Error | undefined;
  const flush = (batch: number[]) => {
    batches.push(batch);
    return new Promise<void>((resolve, reject) => gates.push(() => (fail ? reject(fail) : resolve())));
  };
  const release = async () => {
    await new Promise((r) => setImmediate(r));
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  };
  return { batches, flush, release, failNext: (e: Error) => (fail = e), heal: () => (fail = undefined) };
}

describe('GroupCommit', () => {
  it('writes a lone item at once, as its own batch', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush);
    const done = commit.write([1]);
    await g.release();
    await done;
    expect(g.batches).toEqual([[1]]);
  });

  it('groups writes issued in the same tick into one batch', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush);
    const writes = [commit.write([1]), commit.write([2, 3]), commit.write([4])];
    await g.release();
    await Promise.all(writes);
    expect(g.batches).toEqual([[1, 2, 3, 4]]);
  });

  it('collects writes that arrive during a flush into the next batch', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush);
    const first = commit.write([1]);
    await new Promise((r) => setImmediate(r)); // the first flush has started
    const later = [commit.write([2]), commit.write([3])];
    expect(commit.pending).toBe(2);
    await g.release();
    await first;
    await g.release();
    await Promise.all(later);
    expect(g.batches).toEqual([[1], [2, 3]]);
  });

  it('does not resolve a write before its batch is flushed', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush);
    let resolved = false;
    const write = commit.write([1]).then(() => (resolved = true));
    await new Promise((r) => setImmediate(r));
    expect(resolved).toBe(false);
    await g.release();
    await write;
    expect(resolved).toBe(true);
  });

  it('splits at maxBatch without splitting one caller’s items', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush, 3);
    const writes = [commit.write([1, 2]), commit.write([3, 4]), commit.write([5])];
    await g.release();
    await g.release();
    await Promise.all(writes);
    expect(g.batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('rejects every write of a failed batch, and later writes still go through', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush);
    g.failNext(new Error('disk full'));
    const failed = [commit.write([1]), commit.write([2])];
    await g.release();
    await expect(failed[0]).rejects.toThrow('disk full');
    await expect(failed[1]).rejects.toThrow('disk full');
    g.heal();
    const next = commit.write([3]);
    await g.release();
    await next;
    expect(g.batches).toEqual([[1, 2], [3]]);
  });

  it('idle() waits for the flush in progress', async () => {
    const g = gatedFlush();
    const commit = new GroupCommit(g.flush);
    void commit.write([1]);
    let idle = false;
    const waiting = commit.idle().then(() => (idle = true));
    await new Promise((r) => setImmediate(r));
    expect(idle).toBe(false);
    await g.release();
    await waiting;
    expect(idle).toBe(true);
  });
});
