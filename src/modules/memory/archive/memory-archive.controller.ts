import { once } from 'node:events';
import { Readable } from 'node:stream';
import { Controller, Get, HttpCode, Logger, Post, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallContext } from '../../../common/call-context.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { Caller } from '../../../graphql/caller.decorator.js';
import type { ArchiveCounts } from './archive-format.js';
import { linesOf } from './archive-stream.js';
import { MemoryExport } from './memory-export.service.js';
import { MemoryImport, type MergeCounts } from './memory-import.service.js';

const NDJSON = 'application/x-ndjson';

/**
 * A tenant's memory out and in as a JSON Lines archive (docs/memory-archive.md), streamed both ways: a
 * GraphQL answer is one buffered document, an archive can be gigabytes. `mneme export` / `mneme import` use
 * these routes.
 */
@Controller('v1/memory')
export class MemoryArchiveController {
  private readonly logger = new Logger('MemoryArchive');

  constructor(
    private readonly exporter: MemoryExport,
    private readonly importer: MemoryImport,
    private readonly config: AppConfig,
  ) {}

  @Get('export')
  async export(
    @Query('vectors') vectors: string | undefined,
    @Res() reply: FastifyReply,
    @Caller() ctx: CallContext,
  ): Promise<void> {
    if (vectors !== undefined && vectors !== 'true' && vectors !== 'false') {
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'vectors must be true or false.');
    }
    const lines = this.exporter.lines({ vectors: vectors !== 'false' }, ctx);
    // The header and the first record are read before any byte goes out: a store that is down answers with
    // its own status, not a 200 that stops.
    const head = [await lines.next(), await lines.next()];
    reply.hijack();
    const raw = reply.raw;
    const day = new Date().toISOString().slice(0, 10);
    raw.writeHead(200, {
      'content-type': `${NDJSON}; charset=utf-8`,
      'content-disposition': `attachment; filename="mneme-memory-${day}.jsonl"`,
    });
    try {
      for (const next of head) if (!next.done) raw.write(`${JSON.stringify(next.value)}\n`);
      for (let next = await lines.next(); !next.done; next = await lines.next()) {
        if (!raw.write(`${JSON.stringify(next.value)}\n`)) await once(raw, 'drain', { signal: ctx.signal });
      }
    } catch (error) {
      // Headers are out: the archive ends without its end line, which any import refuses as cut short.
      const why = error instanceof Error ? error.message : String(error);
      this.logger.warn(`Export for ${ctx.tenant} stopped: ${why}`);
      raw.destroy();
      return;
    }
    raw.end();
  }

  @Post('import')
  @HttpCode(200)
  async import(
    @Req() request: FastifyRequest,
    @Query('mode') mode: string | undefined,
    @Caller() ctx: CallContext,
  ): Promise<{ imported: ArchiveCounts } | { merged: MergeCounts }> {
    if (mode !== undefined && mode !== 'restore' && mode !== 'merge') {
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'mode must be restore (into an empty memory) or merge.');
    }
    const body = request.body;
    if (!(body instanceof Readable)) {
      throw new MnemeError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Send the archive as ${NDJSON} (the file mneme export wrote).`,
      );
    }
    const lines = linesOf(body, this.config.server.archive.maxImportBytes);
    if (mode === 'merge') return { merged: await this.importer.merge(lines, ctx) };
    return { imported: await this.importer.restore(lines, ctx) };
  }
}
