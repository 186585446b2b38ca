import { finished } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { processRequest, Upload } from 'graphql-upload-minimal';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';

export interface UploadLimits {
  /** The GraphQL route, the only one that takes multipart bodies. */
  path: string;
  maxFileBytes: number;
  maxFiles: number;
  /** What to tell a client who sends too many files. */
  maxFilesSetting: string;
  /** The `operations` and `map` fields, in bytes. */
  maxFieldBytes: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    graphqlMultipart: boolean;
  }
}

const SPEC = 'the GraphQL multipart request spec';

/**
 * GraphQL multipart uploads (operations, map, files) on the GraphQL route only, with every failure a coded 4xx
 * at once. graphql-upload-minimal parses the parts; this is the Fastify glue. It replaces mercurius-upload,
 * whose glue waited for a request body nobody read whenever parsing failed early (no boundary: no answer ever)
 * and let parser errors out as 500s with stack traces.
 */
export function registerGraphqlUploads(fastify: FastifyInstance, limits: UploadLimits): void {
  fastify.decorateRequest('graphqlMultipart', false);
  fastify.addContentTypeParser('multipart/form-data', (request, _payload, done) => {
    if (request.method !== 'POST' || pathOf(request.url) !== limits.path) {
      done(
        new MnemeError(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          `multipart/form-data is accepted on POST ${limits.path} only (${SPEC}); send JSON here.`,
        ),
      );
      return;
    }
    if (!/;\s*boundary=("[^"]+"|[^;\s]+)/i.test(request.headers['content-type'] ?? '')) {
      done(
        new MnemeError(
          ErrorCode.BAD_REQUEST,
          'multipart/form-data needs a boundary parameter (Content-Type: multipart/form-data; boundary=...).',
        ),
      );
      return;
    }
    request.graphqlMultipart = true;
    done(null, undefined);
  });

  fastify.addHook('preValidation', async (request, reply) => {
    if (!request.graphqlMultipart) return;
    let operations: unknown;
    try {
      operations = await processRequest(request.raw, reply.raw, {
        maxFileSize: limits.maxFileBytes,
        maxFiles: limits.maxFiles,
        maxFieldSize: limits.maxFieldBytes,
      });
    } catch (error) {
      // Whatever was not parsed is read and dropped, so the answer can leave at once.
      request.raw.resume();
      throw uploadError(error, limits);
    }
    assertEachUploadOnce(operations);
    request.body = operations;
  });

  // An upload nobody read (the operation failed first) would stall the parser, and with it the request: drain
  // what is left so the reply is never stuck behind an unread file.
  fastify.addHook('onSend', async (request) => {
    if (!request.graphqlMultipart) return;
    for (const upload of uploadsIn(request.body)) drain(upload);
    request.raw.resume();
    await finished(request.raw).catch(() => undefined);
  });
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** graphql-upload's HttpErrors and busboy's parser errors, as coded errors naming what to fix. */
function uploadError(error: unknown, limits: UploadLimits): MnemeError {
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { status?: unknown }).status;
  if (/max file uploads exceeded/i.test(message) || /files limit/i.test(message)) {
    return new MnemeError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `At most ${limits.maxFiles} files per request (${limits.maxFilesSetting}); send fewer files.`,
      { details: { maxFiles: limits.maxFiles } },
    );
  }
  if (status === 413) {
    return new MnemeError(
      ErrorCode.PAYLOAD_TOO_LARGE,
      `The "operations" or "map" field is larger than ${limits.maxFieldBytes} bytes; send files as parts, not inline.`,
    );
  }
  if (status === 499) return new MnemeError(ErrorCode.CANCELLED, 'Request cancelled during the upload.');
  if (/couldn't find any files or JSON/i.test(message)) {
    return new MnemeError(
      ErrorCode.BAD_REQUEST,
      `The multipart body holds no "operations" field (empty body, or a boundary that does not match the ` +
        `Content-Type's); see ${SPEC}.`,
    );
  }
  return new MnemeError(
    ErrorCode.BAD_REQUEST,
    `Malformed multipart request: ${message.replace(/\s*\(https?:.*\)/, '')}.`,
  );
}

/** Each file may be used once: graphql-upload hands out a file's stream only once. */
function assertEachUploadOnce(operations: unknown): void {
  const seen = new Set<Upload>();
  for (const upload of uploadsIn(operations)) {
    if (seen.has(upload)) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `One uploaded file is mapped to several places in the operation; map each file once (${SPEC}).`,
      );
    }
    seen.add(upload);
  }
}

function* uploadsIn(value: unknown, depth = 0): Generator<Upload> {
  if (value instanceof Upload) {
    yield value;
    return;
  }
  if (depth > 32 || typeof value !== 'object' || value === null) return;
  for (const child of Object.values(value)) yield* uploadsIn(child, depth + 1);
}

function drain(upload: Upload): void {
  const file = upload.file;
  if (!file) return;
  try {
    file.createReadStream().resume();
  } catch {
    // Already read (or failed): nothing left to drain.
  }
}
