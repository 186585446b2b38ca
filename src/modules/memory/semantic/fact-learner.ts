import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { normalizeName, normalizePredicate } from './entity-names.js';
import type { EntityResolver } from './entity-resolver.js';
import { SUMMARY_FACTS, entitySummary } from './entity-summary.js';
import type { EntityRecord, FactRecord, FactView, GraphStore } from './graph-store.js';

export interface FactInput {
  subject: string;
  subjectType?: string;
  predicate: string;
  object: string;
  objectType?: string;
  /** When it became true in the world (epoch ms); now when unknown. */
  validFrom?: number;
  /** When it stopped being true; still true when not given (a correction of a closed fact gives it). */
  validTo?: number | null;
  confidence?: number;
  /** Episodes it was learned from; none for a fact stated directly. */
  episodes?: string[];
}

export interface Learned {
  fact: FactView;
  /** Current facts this one contradicted, now expired (a closed copy keeps what was true until validFrom). */
  retired: FactView[];
  /** The same fact was already known: its provenance and confidence were merged instead. */
  reinforced: boolean;
}

/** The name embeddings learning resolves entities by, computed before its transaction. */
export interface NameVectors {
  subject: Float32Array;
  object: Float32Array;
}

/**
 * How a fact joins the graph, inside the caller's transaction: names resolve to entities, a known fact is
 * reinforced, a current fact it contradicts is retired (never deleted), and both ends' summaries are rewritten.
 */
export class FactLearner {
  constructor(
    private readonly store: GraphStore,
    private readonly resolver: EntityResolver,
    private readonly multiValued: ReadonlySet<string>,
  ) {}

  /** `lineage`: the history the new fact continues (a correction's); else a contradicted fact's, else its own. */
  async learn(input: FactInput, tenant: string, vectors: NameVectors, lineage?: string): Promise<Learned> {
    const predicate = requirePredicate(input);
    const now = Date.now();
    const validFrom = input.validFrom ?? now;
    const episodes = input.episodes ?? [];
    const subject = await this.resolver.resolve(
      tenant,
      input.subject,
      input.subjectType,
      vectors.subject,
      episodes,
    );
    const object = await this.resolver.resolve(
      tenant,
      input.object,
      input.objectType,
      vectors.object,
      episodes,
    );
    const current = await this.store.currentFacts(tenant, subject.id, predicate);
    const validTo = input.validTo ?? null;
    // Two intervals meet unless one ends before the other begins: a fact about the past contradicts only the past.
    const overlaps = (f: FactRecord) =>
      (f.validTo === null || f.validTo > validFrom) && (validTo === null || f.validFrom < validTo);
    const same = current.find((f) => f.objectId === object.id && overlaps(f));
    if (same) {
      const merged = {
        episodes: [...new Set([...same.episodes, ...episodes])],
        confidence: Math.max(same.confidence, input.confidence ?? same.confidence),
      };
      await this.store.updateFact(tenant, same.id, merged);
      return { fact: view({ ...same, ...merged }, subject, object), retired: [], reinforced: true };
    }
    const id = randomUUID();
    const contradicted = this.multiValued.has(predicate)
      ? []
      : current.filter((f) => f.objectId !== object.id && overlaps(f));
    const retired: FactView[] = [];
    for (const old of contradicted) {
      retired.push(await this.retire(tenant, old, { id, validFrom, now }, subject, object));
    }
    const fact: FactRecord = {
      id,
      tenant,
      subjectId: subject.id,
      predicate,
      objectId: object.id,
      validFrom,
      validTo,
      createdAt: now,
      expiredAt: null,
      confidence: input.confidence ?? 1,
      episodes,
      lineage: lineage ?? contradicted[0]?.lineage ?? id,
      retiredBy: null,
      retiredReason: null,
      supersededBy: null,
    };
    await this.store.addFact(fact);
    await this.describe(tenant, subject.id === object.id ? [subject] : [subject, object], now);
    return { fact: view(fact, subject, object), retired, reinforced: false };
  }

  /** Expires a contradicted fact; what was true until the new one began stays true for that time (a copy). */
  private async retire(
    tenant: string,
    old: FactRecord,
    by: { id: string; validFrom: number; now: number },
    subject: EntityRecord,
    object: EntityRecord,
  ): Promise<FactView> {
    const retirement = { expiredAt: by.now, retiredBy: 'contradicted' as const, supersededBy: by.id };
    await this.store.updateFact(tenant, old.id, retirement);
    if (by.validFrom > old.validFrom) {
      await this.store.addFact({
        ...old,
        id: randomUUID(),
        validTo: by.validFrom,
        createdAt: by.now,
        expiredAt: null,
      });
    }
    const oldObject = (await this.store.entity(tenant, old.objectId)) ?? object;
    return view({ ...old, ...retirement }, subject, oldObject);
  }

  /** Rewrites the entities' summaries from their current facts (inside the caller's transaction). */
  async describe(tenant: string, entities: EntityRecord[], now = Date.now()): Promise<void> {
    for (const entity of entities) {
      const window = { validAt: now, knownAt: now };
      const facts = await this.store.factsAbout(tenant, entity.id, window, SUMMARY_FACTS);
      const summary = entitySummary(entity, facts);
      if (summary !== entity.summary) await this.store.updateEntity(tenant, entity.id, { summary });
    }
  }
}

function requirePredicate(input: FactInput): string {
  const predicate = normalizePredicate(input.predicate);
  if (!predicate || !normalizeName(input.subject) || !normalizeName(input.object)) {
    throw new MnemeError(ErrorCode.BAD_REQUEST, 'A fact needs a subject, a predicate and an object.');
  }
  return predicate;
}

const view = (f: FactRecord, s: EntityRecord, o: EntityRecord): FactView => ({
  ...f,
  subject: s.name,
  object: o.name,
});
