import { AsyncChannel } from './async-channel.js';
import { mapAsyncIterator } from './map-async-iterator.js';

function recorder() {
  const ends: unknown[][] = [];
  return { ends, onEnd: (...args: unknown[]) => void ends.push(args) };
}

describe('mapAsyncIterator', () => {
  it('maps every value and calls onEnd once without an error at the end', async () => {
    const source = new AsyncChannel<number>();
    [1, 2, 3].forEach((n) => source.push(n));
    source.close();
    const { ends, onEnd } = recorder();
    const mapped = mapAsyncIterator(source, (n) => n * 10, { onEnd });
    const values: number[] = [];
    for await (const value of mapped) values.push(value);
    expect(values).toEqual([10, 20, 30]);
    expect(ends).toEqual([[undefined]]);
    expect(await mapped.next()).toEqual({ value: undefined, done: true });
    expect(ends).toHaveLength(1);
  });

  it('delivers prefix values first, without mutating the given array', async () => {
    const source = new AsyncChannel<string>();
    source.push('c');
    source.close();
    const prefix = ['a', 'b'];
    const mapped = mapAsyncIterator(source, (s) => s.toUpperCase(), { prefix });
    const values: string[] = [];
    for await (const value of mapped) values.push(value);
    expect(values).toEqual(['A', 'B', 'C']);
    expect(prefix).toEqual(['a', 'b']);
  });

  it('forwards return() to the source at once, even while a next() is pending', async () => {
    let sourceReturns = 0;
    const source = new AsyncChannel<number>(() => sourceReturns++);
    const { ends, onEnd } = recorder();
    const mapped = mapAsyncIterator(source, (n) => n, { onEnd });
    const pending = mapped.next();
    expect(await mapped.return!()).toEqual({ value: undefined, done: true });
    expect(sourceReturns).toBe(1);
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(ends).toEqual([[undefined]]);
  });

  it('works with a source that has no return()', async () => {
    const source: AsyncIterator<number> = { next: () => Promise.resolve({ value: 1, done: false }) };
    const { ends, onEnd } = recorder();
    const mapped = mapAsyncIterator(source, (n) => n + 1, { onEnd });
    expect(await mapped.next()).toEqual({ value: 2, done: false });
    expect(await mapped.return!()).toEqual({ value: undefined, done: true });
    expect(ends).toEqual([[undefined]]);
  });

  it('calls onEnd with a source error and rethrows it', async () => {
    const source = new AsyncChannel<number>();
    const boom = new Error('boom');
    source.push(1);
    source.fail(boom);
    const { ends, onEnd } = recorder();
    const mapped = mapAsyncIterator(source, (n) => n, { onEnd });
    expect(await mapped.next()).toEqual({ value: 1, done: false });
    await expect(mapped.next()).rejects.toBe(boom);
    expect(ends).toEqual([[boom]]);
  });

  it('calls onEnd when mapping a prefix value throws, and keeps undefined prefix values in order', async () => {
    const bad = new Error('bad prefix');
    const { ends, onEnd } = recorder();
    const throwing = mapAsyncIterator(
      new AsyncChannel<number>(),
      () => {
        throw bad;
      },
      { prefix: [1], onEnd },
    );
    await expect(throwing.next()).rejects.toBe(bad);
    expect(ends).toEqual([[bad]]);

    const source = new AsyncChannel<number | undefined>();
    source.push(3);
    const mapped = mapAsyncIterator(source, (v) => String(v), { prefix: [undefined, 2] });
    expect((await mapped.next()).value).toBe('undefined');
    expect((await mapped.next()).value).toBe('2');
    expect((await mapped.next()).value).toBe('3');
  });

  it('calls onEnd with an error thrown by the map function', async () => {
    const source = new AsyncChannel<number>();
    source.push(1);
    const bad = new Error('bad value');
    const { ends, onEnd } = recorder();
    const mapped = mapAsyncIterator(
      source,
      () => {
        throw bad;
      },
      { onEnd },
    );
    await expect(mapped.next()).rejects.toBe(bad);
    expect(ends).toEqual([[bad]]);
  });

  it('is its own async iterator', () => {
    const mapped = mapAsyncIterator(new AsyncChannel<number>(), (n) => n);
    expect(mapped[Symbol.asyncIterator]()).toBe(mapped);
  });
});
