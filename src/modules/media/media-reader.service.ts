import { Injectable } from '@nestjs/common';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { Headroom } from '../../telemetry/headroom.js';
import type { FileUpload } from 'graphql-upload-minimal';
import type { MediaInput } from './media-input.js';

export interface MediaBytes {
  bytes: Buffer;
  /** The client's file name or MIME hint, for messages only. */
  label: string;
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?(;[\w-]+=[\w.-]+)*;base64,/i;

/** Reads a MediaInput into memory, refusing anything over the byte limit before it is all read or decoded. */
@Injectable()
export class MediaReader {
  private readonly maxBytes: number;

  constructor(
    config: AppConfig,
    private readonly headroom: Headroom,
  ) {
    this.maxBytes = config.perception.maxMediaBytes;
  }

  async read(input: MediaInput, what: string): Promise<MediaBytes> {
    const given = [input.upload, input.base64].filter((v) => v !== undefined && v !== null);
    if (given.length !== 1) {
      throw new MnemeError(ErrorCode.BAD_REQUEST, `${what}: give exactly one of "upload" or "base64".`);
    }
    // Decoding media is heavy work: refused while the server is past its memory or event-loop threshold.
    this.headroom.assert('media decoding');
    return input.upload
      ? this.readUpload(await uploaded(input.upload, what), what)
      : this.readBase64(input.base64 ?? '', input.mimeType, what);
  }

  private readBase64(text: string, mimeType: string | undefined, what: string): MediaBytes {
    const match = DATA_URL.exec(text);
    const body = match ? text.slice(match[0].length) : text;
    const payload = /\s/.test(body) ? body.replace(/\s+/g, '') : body;
    // Four base64 characters carry three bytes: refuse before decoding anything.
    if (Math.floor((payload.length * 3) / 4) > this.maxBytes + 2) throw this.tooLarge(what);
    if (payload.length === 0) throw new MnemeError(ErrorCode.BAD_REQUEST, `${what}: "base64" is empty.`);
    const invalid = () =>
      new MnemeError(
        ErrorCode.BAD_REQUEST,
        `${what}: "base64" is not valid base64 (or a data: URL with base64).`,
      );
    const padding = payload.endsWith('==') ? 2 : payload.endsWith('=') ? 1 : 0;
    const unpadded = payload.length - padding;
    if (unpadded % 4 === 1) throw invalid();
    const bytes = Buffer.from(
      payload,
      payload.includes('-') || payload.includes('_') ? 'base64url' : 'base64',
    );
    // Node skips characters outside the alphabet, so a short result means the text was not base64: a native
    // length check instead of a regular expression over megabytes.
    if (bytes.length !== Math.floor((unpadded * 3) / 4)) throw invalid();
    if (bytes.length > this.maxBytes) throw this.tooLarge(what);
    return { bytes, label: match?.[1] ?? mimeType ?? 'base64 data' };
  }

  private async readUpload(
    file: { filename: string; mimetype: string; createReadStream(): NodeJS.ReadableStream },
    what: string,
  ): Promise<MediaBytes> {
    const chunks: Buffer[] = [];
    let size = 0;
    let stream: NodeJS.ReadableStream;
    try {
      stream = file.createReadStream();
    } catch (error) {
      // graphql-upload hands a file's stream out once; a second read means one file is used twice.
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `${what}: the uploaded file could not be read (${(error as Error).message})`,
      );
    }
    try {
      for await (const chunk of stream) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        size += buffer.length;
        if (size > this.maxBytes) throw this.tooLarge(what);
        chunks.push(buffer);
      }
    } catch (error) {
      if (error instanceof MnemeError) throw error;
      // graphql-upload reports its own size limit and aborted uploads as stream errors.
      const message = (error as Error).message;
      if (/max file size|exceeds/i.test(message)) throw this.tooLarge(what);
      throw new MnemeError(ErrorCode.BAD_REQUEST, `${what}: the upload could not be read (${message}).`);
    }
    return { bytes: Buffer.concat(chunks), label: file.filename || file.mimetype };
  }

  private tooLarge(what: string): MnemeError {
    return new MnemeError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `${what} is larger than ${this.maxBytes} bytes; send a smaller file or raise MNEME_MEDIA_MAX_BYTES.`,
      { details: { maxBytes: this.maxBytes } },
    );
  }
}

/** The upload's file; graphql-upload's own refusals (a file the map names but the body lacks) keep their 4xx. */
async function uploaded(upload: Promise<FileUpload>, what: string): Promise<FileUpload> {
  try {
    return await upload;
  } catch (error) {
    const status = (error as { status?: unknown }).status;
    if (typeof status !== 'number' || status >= 500) throw error;
    const message = `${what}: ${(error as Error).message}`;
    if (status === 499) throw new MnemeError(ErrorCode.CANCELLED, message);
    if (status === 413) throw new MnemeError(ErrorCode.PAYLOAD_TOO_LARGE, message);
    throw new MnemeError(ErrorCode.BAD_REQUEST, message);
  }
}
