import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { MAX_LINE_BYTES } from './archive-format.js';

/** The body's lines, as they arrive; PAYLOAD_TOO_LARGE past `max` bytes, BAD_REQUEST for a line over the bound. */
export async function* linesOf(body: Readable, max: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let seen = 0;
  let rest = '';
  for await (const chunk of body as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > max) {
      throw new MnemeError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `The archive is larger than ${max} bytes (MNEME_IMPORT_MAX_BYTES).`,
      );
    }
    const parts = (rest + decoder.write(chunk)).split('\n');
    rest = parts.pop()!;
    for (const line of parts) yield line;
    if (rest.length > MAX_LINE_BYTES) {
      throw new MnemeError(ErrorCode.BAD_REQUEST, `An archive line is longer than ${MAX_LINE_BYTES} bytes.`);
    }
  }
  rest += decoder.end();
  if (rest) yield rest;
}
