import { sseData } from './sse-reader.js';

async function collect(chunks: string[]): Promise<string[]> {
  const encoder = new TextEncoder();
  async function* stream() {
    for (const chunk of chunks) yield await Promise.resolve(encoder.encode(chunk));
  }
  const out: string[] = [];
  for await (const data of sseData(stream())) out.push(data);
  return out;
}

describe('sseData', () => {
  it('yields each event’s data, across chunk boundaries anywhere', async () => {
    const text = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    const expected = ['{"a":1}', '{"b":2}', '[DONE]'];
    expect(await collect([text])).toEqual(expected);
    for (let cut = 1; cut < text.length; cut++) {
      expect(await collect([text.slice(0, cut), text.slice(cut)])).toEqual(expected);
    }
  });

  it('handles CRLF and CR line ends, split between chunks', async () => {
    expect(await collect(['data: x\r', '\n\r\n', 'data: y\r\r'])).toEqual(['x', 'y']);
  });

  it('skips comments and other fields, joins multi-line data, and flushes a last unterminated event', async () => {
    expect(await collect([': keep-alive\n\nevent: msg\nid: 7\ndata: one\ndata:two\n\ndata: tail'])).toEqual([
      'one\ntwo',
      'tail',
    ]);
  });

  it('decodes UTF-8 split inside a character', async () => {
    const bytes = new TextEncoder().encode('data: héllo\n\n');
    async function* stream() {
      yield await Promise.resolve(bytes.slice(0, 8));
      yield bytes.slice(8);
    }
    const out: string[] = [];
    for await (const data of sseData(stream())) out.push(data);
    expect(out).toEqual(['héllo']);
  });
});
