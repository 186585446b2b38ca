/**
 * Maps an async iterator, forwarding `return()` at once (an async generator would queue it behind a pending
 * `next()`, so a client who leaves mid-stream would keep the model busy until the next token).
 * `prefix` values (already pulled, e.g. to surface early errors) are delivered first.
 */
export function mapAsyncIterator<T, U>(
  source: AsyncIterator<T>,
  map: (value: T) => U,
  options: { prefix?: T[]; onEnd?: (error?: unknown) => void } = {},
): AsyncIterableIterator<U> {
  const prefix = options.prefix ?? [];
  let delivered = 0;
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    options.onEnd?.(error);
  };
  return {
    async next(): Promise<IteratorResult<U>> {
      try {
        if (delivered < prefix.length) return { value: map(prefix[delivered++] as T), done: false };
        const result = await source.next();
        if (result.done) {
          end();
          return { value: undefined, done: true };
        }
        return { value: map(result.value), done: false };
      } catch (error) {
        end(error);
        throw error;
      }
    },
    async return(): Promise<IteratorResult<U>> {
      end();
      await source.return?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
