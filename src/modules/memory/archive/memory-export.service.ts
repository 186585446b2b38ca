import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { TextEmbedderService } from '../../embedding/text-embedder.service.js';
import type { EpisodeCursor } from '../episodic/episode.record.js';
import { EpisodicMemoryService } from '../episodic/episodic-memory.service.js';
import { GraphStore } from '../semantic/graph-store.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_VERSION,
  auditLine,
  entityLine,
  episodeLine,
  factLine,
  type ArchiveCounts,
  type ArchiveLine,
} from './archive-format.js';

const PAGE = 500;
// Graph pages are larger: kuzu finds a page after an id by scanning the tenant's rows, once per page.
const GRAPH_PAGE = 5000;

/**
 * Writes the caller's whole memory as an archive (archive-format.ts), a page at a time: episodes oldest first,
 * then entities, facts of every time, and the audit trail. Each store is read page by page while the server
 * serves, so what is written meanwhile may or may not be in it; every line is a whole record.
 */
@Injectable()
export class MemoryExport {
  constructor(
    private readonly episodic: EpisodicMemoryService,
    private readonly graph: GraphStore,
    private readonly embedder: TextEmbedderService,
  ) {}

  async *lines(options: { vectors: boolean }, ctx: CallContext): AsyncGenerator<ArchiveLine> {
    const { vectors } = options;
    const { name, dims, space } = await this.embedder.identity();
    if (vectors && this.episodic.vectorSpace.degraded) {
      throw new MnemeError(
        ErrorCode.CONFLICT,
        'Episodic memory is being re-embedded for a new text-embedding model, so not every episode has a ' +
          'vector yet: export without vectors (vectors=false), or after `mneme reembed` has finished.',
      );
    }
    yield {
      kind: 'header',
      format: ARCHIVE_FORMAT,
      version: ARCHIVE_VERSION,
      exportedAt: Date.now(),
      embedder: `${name}:${dims}`,
      space,
      vectors,
    };
    const counts: ArchiveCounts = { episodes: 0, entities: 0, facts: 0, audit: 0 };
    for (let after: EpisodeCursor | undefined; ;) {
      const page = await this.episodic.exportPage(after, PAGE, ctx, vectors);
      for (const e of page) yield episodeLine(e, vectors);
      counts.episodes += page.length;
      if (page.length < PAGE) break;
      after = page.at(-1);
      ctx.signal.throwIfAborted();
    }
    const written = new Set<string>();
    for (let afterId = ''; ;) {
      const page = await this.graph.entitiesPage(ctx.tenant, afterId, GRAPH_PAGE);
      for (const e of page) {
        written.add(e.id);
        yield entityLine(e, vectors);
      }
      counts.entities += page.length;
      if (page.length < GRAPH_PAGE) break;
      afterId = page.at(-1)!.id;
    }
    for (let afterId = ''; ;) {
      const page = await this.graph.factsPage(ctx.tenant, afterId, GRAPH_PAGE);
      for (const f of page) {
        // An entity learned after its page was read, with a fact read now: written here, so no fact is orphaned.
        for (const id of [f.subjectId, f.objectId]) {
          const late = written.has(id) ? undefined : await this.graph.entity(ctx.tenant, id);
          if (!late) continue;
          written.add(id);
          counts.entities++;
          yield entityLine(late, vectors);
        }
        yield factLine(f);
      }
      counts.facts += page.length;
      if (page.length < GRAPH_PAGE) break;
      afterId = page.at(-1)!.id;
    }
    for (let before: number | undefined; ;) {
      const page = await this.graph.auditTrail(ctx.tenant, PAGE, before);
      for (const a of page) yield auditLine(a);
      counts.audit += page.length;
      // Pages by time: entries sharing the last entry's millisecond beyond a full page are not written (rare).
      if (page.length < PAGE) break;
      before = page.at(-1)!.at;
    }
    yield { kind: 'end', counts };
  }
}
