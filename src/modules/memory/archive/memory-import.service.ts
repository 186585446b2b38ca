import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { TextEmbedderService, type EmbedderIdentity } from '../../embedding/text-embedder.service.js';
import { AuditTrail } from '../audit-trail.service.js';
import type { EpisodeRecord } from '../episodic/episode.record.js';
import { EpisodicMemoryService } from '../episodic/episodic-memory.service.js';
import { GraphStore, type EntityRecord, type FactRecord } from '../semantic/graph-store.js';
import { SemanticMemoryService } from '../semantic/semantic-memory.service.js';
import {
  ARCHIVE_FORMAT,
  parseLine,
  type ArchiveCounts,
  type ArchiveHeader,
  type AuditLine,
  type EntityLine,
  type EpisodeLine,
  type FactLine,
} from './archive-format.js';

const BATCH = 500;

/** A merge's outcome: episodes added and skipped (held already), facts learned and left in the archive's history. */
export interface MergeCounts {
  episodes: number;
  skippedEpisodes: number;
  facts: number;
  historyFacts: number;
}
/** Graph records and audit entries wait in memory for the one graph transaction at the end: bounded. */
const MAX_HELD = 2_000_000;

/**
 * Restores an archive into the caller's tenant, which must hold no memory yet (merge() adds to it). Episodes
 * are stored as they stream in, with their vectors when the archive was made with the same text embedder and
 * re-embedded otherwise; entities and facts load in one graph transaction at the end (with new ids, as the
 * graph's ids are unique across tenants). Anything wrong — a malformed line, a missing end, a fact about an
 * entity the archive lacks — undoes the import and leaves the tenant empty again. The audit trail comes along
 * unless the tenant has one (its own, kept through the forget before a restore).
 */
@Injectable()
export class MemoryImport {
  private readonly logger = new Logger('MemoryImport');
  /** Tenants with an import under way in this process: a second one is refused, not interleaved. */
  private readonly importing = new Set<string>();

  constructor(
    private readonly episodic: EpisodicMemoryService,
    private readonly graph: GraphStore,
    private readonly embedder: TextEmbedderService,
    private readonly audit: AuditTrail,
    private readonly semantic: SemanticMemoryService,
  ) {}

  async restore(lines: AsyncIterable<string>, ctx: CallContext): Promise<ArchiveCounts> {
    return this.alone(ctx, async () => {
      await this.assertEmpty(ctx);
      // A trail outlives forget: a tenant restoring its own archive has it already, and keeps it as it is.
      const keepsTrail = (await this.graph.auditTrail(ctx.tenant, 1)).length > 0;
      const state = new ImportState(await this.embedder.identity(), keepsTrail, false);
      const counts = await this.undoneOnFailure(state, ctx, () => this.read(lines, state, ctx));
      await this.audit.record('import-memory', '*', counts, ctx);
      return counts;
    });
  }

  /**
   * Merges an archive into the caller's memory as it is. Episodes the memory holds already (same id) are
   * skipped, so merging the same archive twice adds nothing. The archive's current facts are learned as
   * statements of their time, oldest first, through the same path as extraction: names resolve to the
   * memory's entities, a known fact is reinforced, and a fact the memory has a later statement about becomes
   * history up to it. The archive's retired facts and audit trail stay in the archive. A failure deletes the
   * episodes this merge added; facts learned by then stay (a second merge reinforces them).
   */
  async merge(lines: AsyncIterable<string>, ctx: CallContext): Promise<MergeCounts> {
    return this.alone(ctx, async () => {
      const state = new ImportState(await this.embedder.identity(), true, true);
      await this.undoneOnFailure(state, ctx, () => this.read(lines, state, ctx));
      const merged = state.merged;
      await this.audit.record('import-memory', '*', { episodes: merged.episodes, facts: merged.facts }, ctx);
      return merged;
    });
  }

  private async alone<T>(ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    if (this.importing.has(ctx.tenant)) {
      throw new MnemeError(ErrorCode.CONFLICT, 'An import into your memory is already running; wait for it.');
    }
    this.importing.add(ctx.tenant);
    try {
      return await fn();
    } finally {
      this.importing.delete(ctx.tenant);
    }
  }

  private async undoneOnFailure<T>(state: ImportState, ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      await this.undo(state, ctx);
      throw error;
    }
  }

  /** Deletes the episodes this import stored; the graph loads in one transaction at the end, so only a failure
   * after it (writing the trail) leaves graph rows — of a tenant that was empty when the import began. */
  private async undo(state: ImportState, ctx: CallContext): Promise<void> {
    if (state.storedIds.length > 0) await this.episodic.forget({ ids: state.storedIds }, ctx);
    if (state.graphLoaded) await this.graph.forgetTenant(ctx.tenant);
  }

  private async assertEmpty(ctx: CallContext): Promise<void> {
    const [episodes] = await this.episodic.exportPage(undefined, 1, ctx);
    const graph = await this.graph.counts(ctx.tenant);
    if (episodes || graph.entities > 0 || graph.facts > 0) {
      throw new MnemeError(
        ErrorCode.CONFLICT,
        'Import restores into an empty memory, and yours holds some: export it first if you need it, then ' +
          'forget(input: { everything: true }) and import again.',
      );
    }
  }

  private async read(
    lines: AsyncIterable<string>,
    state: ImportState,
    ctx: CallContext,
  ): Promise<ArchiveCounts> {
    let lineNo = 0;
    for await (const raw of lines) {
      lineNo++;
      if (raw.trim() === '') continue;
      const record = parseLine(raw, lineNo);
      if (!state.header && record.kind !== 'header') throw bad(`line ${lineNo}: the header must come first`);
      if (state.ended) throw bad(`line ${lineNo}: records after the end line`);
      switch (record.kind) {
        case 'header':
          if (state.header) throw bad(`line ${lineNo}: a second header`);
          state.header = record;
          break;
        case 'episode':
          if (state.seenEpisodes.has(record.id))
            throw bad(`line ${lineNo}: episode ${record.id} appears twice`);
          state.seenEpisodes.add(record.id);
          state.read++;
          state.episodes.push(record);
          if (state.episodes.length >= BATCH) await this.storeEpisodes(state, ctx);
          break;
        case 'entity':
          state.entities.push(record);
          break;
        case 'fact':
          state.facts.push(record);
          break;
        case 'audit':
          state.audit.push(record);
          break;
        case 'end':
          state.ended = true;
          state.expected = record.counts;
      }
      if (state.entities.length + state.facts.length + state.audit.length > MAX_HELD) {
        throw bad(`more than ${MAX_HELD} entities, facts and audit entries in one archive`);
      }
      ctx.signal.throwIfAborted();
    }
    if (!state.ended) throw bad('the archive has no end line: it was cut short');
    const counts = state.counts();
    if (JSON.stringify(counts) !== JSON.stringify(state.expected)) {
      throw bad(
        `the end line counts ${JSON.stringify(state.expected)} but the archive holds ${JSON.stringify(counts)}`,
      );
    }
    await this.storeEpisodes(state, ctx);
    await (state.merging ? this.mergeGraph(state, ctx) : this.storeGraph(state, ctx));
    for (const { kind: _kind, ...entry } of state.keepsTrail ? [] : state.audit) {
      await this.graph.recordAudit({
        ...entry,
        id: randomUUID(),
        tenant: ctx.tenant,
        target: state.known(entry.target),
        result: entry.result === null ? null : state.known(entry.result),
      });
    }
    return counts;
  }

  private async storeEpisodes(state: ImportState, ctx: CallContext): Promise<void> {
    let batch = state.episodes.splice(0);
    if (state.merging && batch.length > 0) {
      const held = new Set(
        (
          await this.episodic.get(
            batch.map((e) => e.id),
            ctx,
          )
        ).map((e) => e.id),
      );
      batch = batch.filter((e) => !held.has(e.id));
      state.merged.skippedEpisodes += held.size;
    }
    if (batch.length === 0) return;
    const reuse = state.reusesVectors();
    const missing = reuse ? batch.filter((e) => !e.vector) : batch;
    const embedded = new Map<EpisodeLine, Float32Array>();
    const vectors = missing.length ? await this.embedder.embed(missing.map((e) => e.text)) : [];
    missing.forEach((e, i) => embedded.set(e, vectors[i]!));
    const records = batch.map((e): EpisodeRecord => {
      const { kind: _kind, vector, imageVector, audioVector, fusedVector, ...rest } = e;
      const media = reuse ? { imageVector, audioVector, fusedVector } : {};
      return {
        ...rest,
        tenant: ctx.tenant,
        vector: embedded.get(e) ?? Float32Array.from(vector!),
        ...Object.fromEntries(
          Object.entries(media).flatMap(([key, v]) => (v ? [[key, Float32Array.from(v)]] : [])),
        ),
      };
    });
    await this.episodic.restore(records, ctx);
    state.storedIds.push(...records.map((r) => r.id));
    state.merged.episodes += records.length;
  }

  /** See merge(): the archive's current facts, learned oldest first; validated whole before the first is. */
  private async mergeGraph(state: ImportState, ctx: CallContext): Promise<void> {
    const entities = new Map(state.entities.map((e) => [e.id, e]));
    const current = state.facts.filter((f) => f.expiredAt === null && f.retiredBy === null);
    state.merged.historyFacts = state.facts.length - current.length;
    const ends = current.map((f) => {
      const [subject, object] = [entities.get(f.subjectId), entities.get(f.objectId)];
      if (!subject || !object) throw bad(`fact ${f.id} is about an entity the archive does not hold`);
      return { fact: f, subject, object };
    });
    ends.sort((a, b) => a.fact.validFrom - b.fact.validFrom);
    for (const { fact, subject, object } of ends) {
      const validTo = fact.validTo ?? (await this.laterStatement(subject.norm, fact, ctx));
      const { predicate, validFrom, confidence, episodes } = fact;
      const input = { predicate, validFrom, validTo, confidence, episodes };
      await this.semantic.learn(
        {
          ...input,
          subject: subject.name,
          subjectType: subject.type,
          object: object.name,
          objectType: object.type,
        },
        ctx,
      );
      state.merged.facts++;
      ctx.signal.throwIfAborted();
    }
  }

  /** When the memory holds a later current statement of the same subject and predicate: when it began. */
  private async laterStatement(
    subjectNorm: string,
    fact: FactLine,
    ctx: CallContext,
  ): Promise<number | null> {
    const starts: number[] = [];
    for (const subject of await this.graph.entitiesNamed(ctx.tenant, subjectNorm)) {
      for (const f of await this.graph.currentFacts(ctx.tenant, subject.id, fact.predicate))
        if (f.validFrom > fact.validFrom) starts.push(f.validFrom);
    }
    return starts.length ? Math.min(...starts) : null;
  }

  private async storeGraph(state: ImportState, ctx: CallContext): Promise<void> {
    const reuse = state.reusesVectors();
    const missing = state.entities.filter((e) => !reuse || !e.embedding);
    const names = missing.length ? await this.embedder.embed(missing.map((e) => e.name)) : [];
    const embedded = new Map(missing.map((e, i) => [e, [...names[i]!]]));
    const entities = state.entities.map((e): EntityRecord => {
      const { kind: _kind, embedding, ...rest } = e;
      return {
        ...rest,
        id: state.newId(e.id),
        tenant: ctx.tenant,
        embedding: embedded.get(e) ?? embedding ?? [],
      };
    });
    const ids = new Set(state.entities.map((e) => e.id));
    const facts = state.facts.map((f): FactRecord => {
      const { kind: _kind, ...rest } = f;
      for (const end of [f.subjectId, f.objectId]) {
        if (!ids.has(end)) throw bad(`fact ${f.id} is about entity ${end}, which the archive does not hold`);
      }
      return {
        ...rest,
        tenant: ctx.tenant,
        id: state.newId(f.id),
        subjectId: state.newId(f.subjectId),
        objectId: state.newId(f.objectId),
        lineage: state.newId(f.lineage),
        supersededBy: f.supersededBy === null ? null : state.newId(f.supersededBy),
      };
    });
    if (entities.length > 0) await this.graph.bulkLoad(ctx.tenant, entities, facts);
    state.graphLoaded = true;
    this.logger.log(`Imported ${entities.length} entities and ${facts.length} facts for ${ctx.tenant}`);
  }
}

/** What an import has read so far, and the graph ids it gave new ones. */
class ImportState {
  header: ArchiveHeader | undefined;
  episodes: EpisodeLine[] = [];
  entities: EntityLine[] = [];
  facts: FactLine[] = [];
  audit: AuditLine[] = [];
  /** Episodes read, and those stored so far (what a failure deletes). */
  read = 0;
  storedIds: string[] = [];
  /** Episode ids read so far: one archive holds each once. */
  readonly seenEpisodes = new Set<string>();
  graphLoaded = false;
  ended = false;
  expected: ArchiveCounts | undefined;
  private readonly ids = new Map<string, string>();

  /** What a merge did (see MemoryImport.merge). */
  readonly merged: MergeCounts = { episodes: 0, skippedEpisodes: 0, facts: 0, historyFacts: 0 };

  constructor(
    private readonly embedder: EmbedderIdentity,
    /** The tenant has a trail already, or this is a merge: the archive's is not added. */
    readonly keepsTrail: boolean,
    readonly merging: boolean,
  ) {}

  /** The archive's vectors are in this server's space: same embedder, and it has them. */
  reusesVectors(): boolean {
    const header = this.header;
    if (header?.vectors !== true) return false;
    const { name, dims, space } = this.embedder;
    return header.space === undefined ? header.embedder === `${name}:${dims}` : header.space === space;
  }

  /** A graph id's new id, the same one every time it is asked. */
  newId(old: string): string {
    let id = this.ids.get(old);
    if (!id) this.ids.set(old, (id = randomUUID()));
    return id;
  }

  /** A renamed graph id, or the id as it was (an episode's, a session's). */
  known(old: string): string {
    return this.ids.get(old) ?? old;
  }

  counts(): ArchiveCounts {
    const { read: episodes, entities, facts, audit } = this;
    return { episodes, entities: entities.length, facts: facts.length, audit: audit.length };
  }
}

function bad(why: string): MnemeError {
  return new MnemeError(ErrorCode.BAD_REQUEST, `Not a complete ${ARCHIVE_FORMAT} archive: ${why}.`);
}
