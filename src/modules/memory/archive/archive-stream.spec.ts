import { Readable } from 'node:stream';
import { ErrorCode } from '../../../common/error-codes.js';
import { MAX_LINE_BYTES } from './archive-format.js';
import { linesOf } from './archive-stream.js';

const collect = async (chunks: (string | Buffer)[], max = 1024 ** 2) => {
  const lines: string[] = [];
  for await (const line of linesOf(Readable.from(chunks.map((c) => Buffer.from(c))), max)) lines.push(line);
  return lines;
};

describe('archive lines from a stream', () => {
  it('splits lines across chunks, multi-byte characters included, and keeps a last line without newline', async () => {
    const euro = Buffer.from('€');
    const chunks = ['{"a":1}\n{"b":', '"x', euro.subarray(0, 1), euro.subarray(1), '"}\r\n', '{"c":3}'];
    expect(await collect(chunks)).toEqual(['{"a":1}', '{"b":"x€"}\r', '{"c":3}']);
  });

  it('stops at the byte bound with PAYLOAD_TOO_LARGE, and at an overlong line with BAD_REQUEST', async () => {
    await expect(collect(['x'.repeat(600), 'y'.repeat(600)], 1000)).rejects.toEqual(
      expect.objectContaining({ code: ErrorCode.PAYLOAD_TOO_LARGE }),
    );
    await expect(collect(['z'.repeat(MAX_LINE_BYTES + 1)], 2 * MAX_LINE_BYTES)).rejects.toEqual(
      expect.objectContaining({ code: ErrorCode.BAD_REQUEST }),
    );
  });
});
