import { Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload-minimal';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { loadConfig } from '../../config/app-config.js';
import type { MediaInput } from './media-input.js';
import { MediaReader } from './media-reader.service.js';
import { Headroom } from '../../telemetry/headroom.js';

const LIMIT = 2048;
const config = loadConfig({ MNEME_MEDIA_MAX_BYTES: String(LIMIT) });
const reader = () => new MediaReader(config, new Headroom(config.limits.pressure));

/** Deterministic, non-repeating bytes so a wrong decode cannot pass by accident. */
const sample = (length: number) => Buffer.from(Array.from({ length }, (_, i) => (i * 31 + 7) % 256));

function upload(stream: () => Readable, filename = 'photo.jpg', mimetype = 'image/jpeg'): MediaInput {
  const file: FileUpload = {
    filename,
    mimetype,
    encoding: '7bit',
    fieldName: '1',
    createReadStream: stream as unknown as FileUpload['createReadStream'],
  };
  return { upload: Promise.resolve(file) };
}

/** Runs the read and returns the MnemeError it was refused with, failing if it succeeded or threw anything else. */
async function refusal(input: MediaInput, what = 'image'): Promise<MnemeError> {
  let result: unknown;
  try {
    result = await reader().read(input, what);
  } catch (error) {
    expect(error).toBeInstanceOf(MnemeError);
    return error as MnemeError;
  }
  throw new Error(`expected the read to be refused, but it returned ${JSON.stringify(result)}`);
}

describe('MediaReader', () => {
  describe('exactly one of upload or base64', () => {
    it('refuses neither', async () => {
      const error = await refusal({}, 'image');
      expect(error.code).toBe(ErrorCode.BAD_REQUEST);
      expect(error.message).toMatch(/^image: give exactly one of "upload" or "base64"/);
    });

    it('refuses neither when both are explicitly null (as GraphQL sends them)', async () => {
      const input = { upload: null, base64: null } as unknown as MediaInput;
      expect((await refusal(input)).code).toBe(ErrorCode.BAD_REQUEST);
    });

    it('refuses both, without reading the upload', async () => {
      let opened = false;
      const input: MediaInput = {
        ...upload(() => {
          opened = true;
          return Readable.from([sample(4)]);
        }),
        base64: sample(4).toString('base64'),
      };
      const error = await refusal(input, 'audio');
      expect(error.code).toBe(ErrorCode.BAD_REQUEST);
      expect(error.message).toContain('audio: give exactly one of');
      expect(opened).toBe(false);
    });

    it('accepts an upload when base64 is null', async () => {
      const input = { ...upload(() => Readable.from([sample(3)])), base64: null } as unknown as MediaInput;
      expect((await reader().read(input, 'image')).bytes).toEqual(sample(3));
    });
  });

  describe('base64', () => {
    it('decodes plain base64, labelled by the mimeType hint or a generic label', async () => {
      const bytes = sample(100);
      const hinted = await reader().read(
        { base64: bytes.toString('base64'), mimeType: 'image/png' },
        'image',
      );
      expect(hinted.bytes).toEqual(bytes);
      expect(hinted.label).toBe('image/png');
      const bare = await reader().read({ base64: bytes.toString('base64') }, 'image');
      expect(bare.bytes).toEqual(bytes);
      expect(bare.label).toBe('base64 data');
    });

    it('decodes unpadded base64', async () => {
      const bytes = sample(10); // 10 bytes → 14 characters + "=="
      const text = bytes.toString('base64').replace(/=+$/, '');
      expect((await reader().read({ base64: text }, 'image')).bytes).toEqual(bytes);
    });

    it('ignores whitespace and line breaks (MIME-wrapped base64)', async () => {
      const bytes = sample(300);
      const wrapped = (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
      expect(wrapped).toContain('\n');
      const result = await reader().read({ base64: `  ${wrapped}\n\t ` }, 'image');
      expect(result.bytes).toEqual(bytes);
    });

    it('decodes base64url (- and _ instead of + and /)', async () => {
      const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0xfe, 0x00, 0x3e]);
      const text = bytes.toString('base64url');
      expect(text).toMatch(/[-_]/);
      expect((await reader().read({ base64: text }, 'image')).bytes).toEqual(bytes);
    });

    it('decodes a data: URL and labels it with the URL’s MIME type over the hint', async () => {
      const bytes = sample(64);
      const result = await reader().read(
        { base64: `data:image/webp;base64,${bytes.toString('base64')}`, mimeType: 'image/jpeg' },
        'image',
      );
      expect(result.bytes).toEqual(bytes);
      expect(result.label).toBe('image/webp');
    });

    it('accepts data: URL parameters and an upper-case scheme', async () => {
      const bytes = sample(20);
      const result = await reader().read(
        { base64: `DATA:audio/x-wav;name=clip.wav;base64,${bytes.toString('base64')}` },
        'audio',
      );
      expect(result.bytes).toEqual(bytes);
      expect(result.label).toBe('audio/x-wav');
    });

    it('falls back to the hint for a data: URL without a MIME type', async () => {
      const bytes = sample(5);
      const result = await reader().read(
        { base64: `data:;base64,${bytes.toString('base64')}`, mimeType: 'image/gif' },
        'image',
      );
      expect(result.bytes).toEqual(bytes);
      expect(result.label).toBe('image/gif');
    });

    it.each([
      ['a non-base64 character', 'aGVsbG8$'],
      ['too much padding', 'QQ==='],
      ['padding in the middle', 'QQ==QQ=='],
      ['a data: URL that is not base64', 'data:text/plain,hello%20world'],
      ['a URL', 'https://example.com/cat.jpg'],
    ])('refuses invalid base64 (%s) as BAD_REQUEST', async (_name, base64) => {
      const error = await refusal({ base64 }, 'image');
      expect(error.code).toBe(ErrorCode.BAD_REQUEST);
      expect(error.message).toContain('image: "base64" is not valid base64');
    });

    it('accepts exactly the limit', async () => {
      const bytes = sample(LIMIT);
      expect((await reader().read({ base64: bytes.toString('base64') }, 'image')).bytes).toEqual(bytes);
    });

    it.each([LIMIT + 1, LIMIT + 2, LIMIT + 3, 4 * LIMIT])(
      'refuses %d decoded bytes as PAYLOAD_TOO_LARGE',
      async (length) => {
        const error = await refusal({ base64: sample(length).toString('base64') }, 'image');
        expect(error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
        expect(error.message).toContain(`image is larger than ${LIMIT} bytes`);
        expect(error.details).toEqual({ maxBytes: LIMIT });
      },
    );

    it('refuses an oversized data: URL too', async () => {
      const base64 = `data:image/png;base64,${sample(LIMIT + 10).toString('base64')}`;
      expect((await refusal({ base64 })).code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    });

    it('refuses a 10 MB string of "A" as PAYLOAD_TOO_LARGE', async () => {
      const error = await refusal({ base64: 'A'.repeat(10 * 1024 * 1024) });
      expect(error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    });

    it('decides the size before validating or decoding anything', async () => {
      // Invalid at the very end: a reader that validated or decoded first would answer BAD_REQUEST.
      const error = await refusal({ base64: `${'A'.repeat(10 * 1024 * 1024)}!` });
      expect(error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);

      const buffer = Buffer as unknown as { from: (...args: unknown[]) => Buffer };
      const original = buffer.from;
      const decoded: unknown[] = [];
      buffer.from = (...args: unknown[]) => {
        if (typeof args[0] === 'string') decoded.push(args[1]);
        return original.apply(Buffer, args);
      };
      try {
        // Control: the spy does see the decode of an acceptable payload.
        await reader().read({ base64: sample(30).toString('base64') }, 'image');
        expect(decoded).toEqual(['base64']);
        decoded.length = 0;
        const refused = await refusal({ base64: 'A'.repeat(10 * 1024 * 1024) });
        expect(refused.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
      } finally {
        buffer.from = original;
      }
      expect(decoded).toEqual([]);
    });
  });

  describe('upload', () => {
    it('concatenates the streamed chunks and labels the result with the file name', async () => {
      const bytes = sample(1500);
      const result = await reader().read(
        upload(() => Readable.from([bytes.subarray(0, 1), bytes.subarray(1, 700), bytes.subarray(700)])),
        'image',
      );
      expect(result.bytes).toEqual(bytes);
      expect(result.label).toBe('photo.jpg');
    });

    it('accepts string chunks and falls back to the MIME type when there is no file name', async () => {
      const result = await reader().read(
        upload(() => Readable.from(['RIFF', 'WAVE']), '', 'audio/wav'),
        'audio',
      );
      expect(result.bytes.toString('latin1')).toBe('RIFFWAVE');
      expect(result.label).toBe('audio/wav');
    });

    it('reads an empty upload as zero bytes', async () => {
      const result = await reader().read(
        upload(() => Readable.from([])),
        'image',
      );
      expect(result.bytes).toHaveLength(0);
    });

    it('accepts exactly the limit', async () => {
      const bytes = sample(LIMIT);
      const result = await reader().read(
        upload(() => Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)])),
        'image',
      );
      expect(result.bytes).toEqual(bytes);
    });

    it('refuses one byte over the limit as PAYLOAD_TOO_LARGE', async () => {
      const error = await refusal(
        upload(() => Readable.from([sample(LIMIT), Buffer.from([0])])),
        'image',
      );
      expect(error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
      expect(error.message).toContain(`image is larger than ${LIMIT} bytes`);
      expect(error.details).toEqual({ maxBytes: LIMIT });
    });

    it('stops reading an endless stream as soon as it passes the limit', async () => {
      let pulled = 0;
      function* endless() {
        for (;;) {
          pulled++;
          yield Buffer.alloc(1024);
        }
      }
      const error = await refusal(upload(() => Readable.from(endless())));
      expect(error.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
      expect(pulled).toBeLessThan(20);
    });

    it.each([
      'File truncated as it exceeds the 2048 byte size limit.',
      'Upload exceeds the max file size of 2048 bytes',
      'MAX FILE SIZE reached',
    ])('maps the stream error "%s" to PAYLOAD_TOO_LARGE', async (message) => {
      const failing = () =>
        Readable.from(
          (async function* () {
            yield sample(10);
            await Promise.resolve();
            throw new Error(message);
          })(),
        );
      expect((await refusal(upload(failing), 'image')).code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    });

    it('maps a stream destroyed with a max-file-size error to PAYLOAD_TOO_LARGE', async () => {
      const stream = () =>
        new Readable({
          read() {
            this.destroy(new Error('Request file too large: max file size is 2048 bytes'));
          },
        });
      expect((await refusal(upload(stream))).code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    });

    it('maps any other stream error to BAD_REQUEST naming the problem', async () => {
      const stream = () =>
        new Readable({
          read() {
            this.destroy(new Error('Request disconnected during file upload stream parsing.'));
          },
        });
      const error = await refusal(upload(stream), 'audio');
      expect(error.code).toBe(ErrorCode.BAD_REQUEST);
      expect(error.message).toBe(
        'audio: the upload could not be read (Request disconnected during file upload stream parsing.).',
      );
    });

    it('passes on a rejected upload promise unchanged', async () => {
      const input: MediaInput = { upload: Promise.reject(new Error('upload promise rejected')) };
      await expect(reader().read(input, 'image')).rejects.toThrow('upload promise rejected');
    });
  });
});
