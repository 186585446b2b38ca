import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { requireId } from '../../../common/ids.js';
import { MnemeError } from '../../../common/mneme-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { TextEmbedderService } from '../../embedding/text-embedder.service.js';
import { AuditTrail } from '../audit-trail.service.js';
import { MemoryEventBus } from '../memory-events.js';
import { memorySpan } from '../memory-span.js';
import { normalizeName, normalizePredicate } from './entity-names.js';
import { EntityResolver } from './entity-resolver.js';
import { FactLearner, type Learned } from './fact-learner.js';
import { GraphStore, type EntityRecord, type FactView, type ForgetCount } from './graph-store.js';

/** A fact and every version of its history, oldest known first (the fact among them). */
export interface FactHistory {
  fact: FactView;
  history: FactView[];
}

/** What a correction changes; what is not given stays as it was. */
export interface FactChange {
  subject?: string;
  predicate?: string;
  object?: string;
  /** When the corrected fact became true; the old one's time when not given. */
  validFrom?: number;
}

export interface Correction {
  retired: FactView;
  /** The replacement, current (an existing fact reinforced when it was already known). */
  fact: FactView;
}

/**
 * A caller's hand on single facts: read one with its history, retract it (retired, kept, with a reason), correct
 * it (retire and learn the replacement in one transaction), or forget it with its whole history. Each change
 * lands with its audit entry and is published to memoryEvents.
 */
@Injectable()
export class FactRevisions {
  private readonly learner: FactLearner;

  constructor(
    private readonly store: GraphStore,
    private readonly embedder: TextEmbedderService,
    config: AppConfig,
    private readonly events: MemoryEventBus,
    private readonly audit: AuditTrail,
  ) {
    const resolver = new EntityResolver(store, config.memory.semantic.mergeThreshold);
    this.learner = new FactLearner(store, resolver, config.memory.semantic.multiValued);
  }

  /** NOT_FOUND for an unknown id or another tenant's. */
  history(id: string, ctx: CallContext): Promise<FactHistory> {
    return this.span('fact', ctx, async () => {
      const fact = await this.found(id, ctx);
      return { fact, history: await this.store.lineage(ctx.tenant, fact.lineage) };
    });
  }

  retract(id: string, reason: string | undefined, ctx: CallContext): Promise<FactView> {
    return this.span('retract', ctx, async () => {
      const retired = await this.store.atomically(async () => {
        const fact = await this.current(id, ctx);
        const retirement = {
          expiredAt: Date.now(),
          retiredBy: 'retracted' as const,
          retiredReason: reason ?? null,
        };
        await this.store.updateFact(ctx.tenant, fact.id, retirement);
        await this.redescribe(fact, ctx);
        await this.audit.record('retract-fact', fact.id, { facts: 1 }, ctx);
        return { ...fact, ...retirement };
      });
      this.events.publish(ctx.tenant, { kind: 'fact-retired', at: Date.now(), fact: retired });
      return retired;
    });
  }

  correct(id: string, change: FactChange, reason: string | undefined, ctx: CallContext): Promise<Correction> {
    return this.span('correct', ctx, async () => {
      const old = await this.current(id, ctx);
      const input = {
        subject: change.subject ?? old.subject,
        predicate: change.predicate ?? old.predicate,
        object: change.object ?? old.object,
        validFrom: change.validFrom ?? old.validFrom,
        // A closed fact's correction is closed at the same time: it must not retire what is true now.
        validTo: old.validTo,
        confidence: old.confidence,
        // Stated by the caller: forgetting the episode the old fact came from must not undo the correction.
        episodes: [],
      };
      if (unchanged(input, old)) {
        throw new MnemeError(
          ErrorCode.BAD_REQUEST,
          'The correction changes nothing: give a new subject, predicate, object or validFrom.',
        );
      }
      const [subject, object] = await this.embedder.embed([input.subject, input.object]);
      const { retired, learned } = await this.store.atomically(async () => {
        // Read again inside the transaction: a concurrent change may have retired it meanwhile.
        const fact = await this.current(id, ctx);
        const at = Date.now();
        await this.store.updateFact(ctx.tenant, fact.id, {
          expiredAt: at,
          retiredBy: 'corrected',
          retiredReason: reason ?? null,
        });
        const learned = await this.learner.learn(
          input,
          ctx.tenant,
          { subject: subject!, object: object! },
          fact.lineage,
        );
        const retirement = {
          expiredAt: at,
          retiredBy: 'corrected' as const,
          retiredReason: reason ?? null,
          supersededBy: learned.fact.id,
        };
        await this.store.updateFact(ctx.tenant, fact.id, { supersededBy: learned.fact.id });
        await this.redescribe(fact, ctx);
        await this.audit.record('correct-fact', fact.id, { facts: 1 }, ctx, learned.fact.id);
        return { retired: { ...fact, ...retirement }, learned };
      });
      this.publish(retired, learned);
      return { retired, fact: learned.fact };
    });
  }

  /**
   * Deletes the fact with every version of the same statement (its closed copies, the original a contradiction
   * retired), and endpoints nothing else holds; other statements of its lineage — what replaced it, what it
   * corrected — stay. Summaries are rewritten.
   */
  forget(id: string, ctx: CallContext): Promise<ForgetCount> {
    return this.span('forget', ctx, async () => {
      const fact = await this.found(id, ctx);
      const count = await this.store.atomically(async () => {
        const versions = (await this.store.lineage(ctx.tenant, fact.lineage)).filter(
          (v) =>
            v.subjectId === fact.subjectId && v.predicate === fact.predicate && v.objectId === fact.objectId,
        );
        const gone = await this.store.forgetFacts(
          ctx.tenant,
          versions.map((v) => v.id),
        );
        await this.audit.record('forget-fact', fact.id, gone, ctx);
        await this.redescribe(fact, ctx);
        return gone;
      });
      return count;
    });
  }

  private async found(id: string, ctx: CallContext): Promise<FactView> {
    const fact = await this.store.fact(ctx.tenant, requireId(id, 'id'));
    if (!fact) throw new MnemeError(ErrorCode.NOT_FOUND, `No fact ${id} in your memory.`);
    return fact;
  }

  private async current(id: string, ctx: CallContext): Promise<FactView> {
    const fact = await this.found(id, ctx);
    if (fact.expiredAt !== null) {
      throw new MnemeError(
        ErrorCode.CONFLICT,
        `Fact ${id} was already retired (${fact.retiredBy ?? 'superseded'}); change its current version (see fact(id).history).`,
      );
    }
    return fact;
  }

  /** The ends' summaries, from what is current now (an end that is gone is skipped). */
  private async redescribe(fact: FactView, ctx: CallContext): Promise<void> {
    const ends: EntityRecord[] = [];
    for (const id of new Set([fact.subjectId, fact.objectId])) {
      const entity = await this.store.entity(ctx.tenant, id);
      if (entity) ends.push(entity);
    }
    await this.learner.describe(ctx.tenant, ends);
  }

  private publish(retired: FactView, learned: Learned): void {
    const at = Date.now();
    for (const fact of [retired, ...learned.retired])
      this.events.publish(retired.tenant, { kind: 'fact-retired', at, fact });
    if (!learned.reinforced)
      this.events.publish(retired.tenant, { kind: 'fact-added', at, fact: learned.fact });
  }

  private span<T>(operation: string, ctx: CallContext, fn: () => Promise<T>): Promise<T> {
    return memorySpan('semantic', operation, this.store.backend, ctx, fn, () => 1);
  }
}

function unchanged(input: Required<FactChange>, old: FactView): boolean {
  return (
    normalizeName(input.subject) === normalizeName(old.subject) &&
    normalizePredicate(input.predicate) === old.predicate &&
    normalizeName(input.object) === normalizeName(old.object) &&
    input.validFrom === old.validFrom
  );
}
