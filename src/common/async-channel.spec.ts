import { AsyncChannel } from './async-channel.js';

async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const values: T[] = [];
  for await (const value of iterable) values.push(value);
  return values;
}

describe('AsyncChannel', () => {
  it('delivers values pushed before iteration, then done after close', async () => {
    const channel = new AsyncChannel<number>();
    channel.push(1);
    channel.push(2);
    channel.close();
    expect(await drain(channel)).toEqual([1, 2]);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('resolves a pending next() with the next pushed value', async () => {
    const channel = new AsyncChannel<string>();
    const pending = channel.next();
    channel.push('a');
    expect(await pending).toEqual({ value: 'a', done: false });
  });

  it('resolves a pending next() as done on close', async () => {
    const channel = new AsyncChannel<string>();
    const pending = channel.next();
    channel.close();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('ignores pushes after close', async () => {
    const channel = new AsyncChannel<number>();
    channel.push(1);
    channel.close();
    channel.push(2);
    expect(await drain(channel)).toEqual([1]);
  });

  it('raises a failure after the buffered values', async () => {
    const channel = new AsyncChannel<number>();
    const boom = new Error('boom');
    channel.push(1);
    channel.push(2);
    channel.fail(boom);
    expect(await channel.next()).toEqual({ value: 1, done: false });
    expect(await channel.next()).toEqual({ value: 2, done: false });
    await expect(channel.next()).rejects.toBe(boom);
  });

  it('rejects a pending next() on fail', async () => {
    const channel = new AsyncChannel<number>();
    const pending = channel.next();
    const boom = new Error('boom');
    channel.fail(boom);
    await expect(pending).rejects.toBe(boom);
  });

  it('ignores fail after close', async () => {
    const channel = new AsyncChannel<number>();
    channel.close();
    channel.fail(new Error('late'));
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('return() calls onReturn once, drops the buffer and ends iteration', async () => {
    let returns = 0;
    const channel = new AsyncChannel<number>(() => returns++);
    channel.push(1);
    expect(await channel.return()).toEqual({ value: undefined, done: true });
    await channel.return();
    expect(returns).toBe(1);
    channel.push(2);
    expect(await channel.next()).toEqual({ value: undefined, done: true });
  });

  it('return() resolves a pending next() as done', async () => {
    let returns = 0;
    const channel = new AsyncChannel<number>(() => returns++);
    const pending = channel.next();
    await channel.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(returns).toBe(1);
  });

  it('does not call onReturn when the producer already closed the stream', async () => {
    let returns = 0;
    const channel = new AsyncChannel<number>(() => returns++);
    channel.close();
    await channel.return();
    expect(returns).toBe(0);
  });

  it('calls onReturn when a for-await loop breaks early', async () => {
    let returns = 0;
    const channel = new AsyncChannel<number>(() => returns++);
    channel.push(1);
    channel.push(2);
    const seen: number[] = [];
    for await (const value of channel) {
      seen.push(value);
      break;
    }
    expect(seen).toEqual([1]);
    expect(returns).toBe(1);
  });
});
