/**
 * The `data:` payloads of a server-sent-events stream, one per event (multi-line data joined with newlines).
 * Comments, `event:`/`id:`/`retry:` fields and blank keep-alives are skipped.
 */
export async function* sseData(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const lineOf = function* (final: boolean): Generator<string> {
    for (;;) {
      const newline = buffer.search(/\r\n|\r|\n/);
      if (newline < 0) {
        if (final && buffer) {
          yield buffer;
          buffer = '';
        }
        return;
      }
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (buffer[newline] === '\r' && newline === buffer.length - 1 && !final) return;
      const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + width);
      yield line;
    }
  };
  const events = function* (final: boolean): Generator<string> {
    for (const line of lineOf(final)) {
      if (line === '') {
        if (data.length) yield data.join('\n');
        data = [];
      } else if (line.startsWith('data:')) {
        data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
    }
    if (final && data.length) {
      yield data.join('\n');
      data = [];
    }
  };
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true });
    yield* events(false);
  }
  buffer += decoder.decode();
  yield* events(true);
}
