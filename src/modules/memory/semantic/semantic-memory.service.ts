import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { ErrorCode } from '../../../common/error-codes.js';
import { isMnemeError } from '../../../common/mneme-error.js';
import { AppConfig } from '../../../config/app-config.js';
import { TextEmbedderService } from '../../embedding/text-embedder.service.js';
import { MemoryEventBus } from '../memory-events.js';
import { memorySpan } from '../memory-span.js';
import { normalizeName } from './entity-names.js';
import { EntityResolver } from './entity-resolver.js';
import { FactLearner, type FactInput, type Learned } from './fact-learner.js';
import {
  GraphStore,
  type EntityRecord,
  type FactView,
  type ForgetCount,
  type Neighbor,
} from './graph-store.js';

export type { FactInput, Learned } from './fact-learner.js';

/** Mention detection: names up to this many words, at most this many spans looked up, entities used. */
const MAX_NAME_WORDS = 4;
const MAX_SPANS = 400;
const MAX_NAMED = 5;

/**
 * The semantic tier: entities and bi-temporal facts over a GraphStore. Learning resolves names to entities
 * (exact name or alias, then a name sharing its words whose embedding is close enough), reinforces a known fact,
 * and retires — never deletes — a current fact a new one contradicts.
 */
@Injectable()
export class SemanticMemoryService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SemanticMemory');
  private readonly resolver: EntityResolver;
  private readonly learner: FactLearner;

  constructor(
    private readonly store: GraphStore,
    private readonly embedder: TextEmbedderService,
    private readonly config: AppConfig,
    private readonly events: MemoryEventBus,
  ) {
    this.resolver = new EntityResolver(store, config.memory.semantic.mergeThreshold);
    this.learner = new FactLearner(store, this.resolver, config.memory.semantic.multiValued);
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.store.init();
    } catch (error) {
      // A graph server that is down must not keep the server down: its calls fail with 503 until it is back.
      if (!isMnemeError(error) || error.code !== ErrorCode.STORE_UNAVAILABLE) throw error;
      this.logger.warn(`${error.message} Semantic memory answers STORE_UNAVAILABLE until it is reachable.`);
      return;
    }
    this.logger.log(`Semantic memory on ${this.store.backend}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  learn(input: FactInput, ctx: CallContext): Promise<Learned> {
    return this.span(
      'learn',
      ctx,
      async () => {
        const learned = await this.learnFact(input, ctx.tenant);
        // Published once committed: a subscriber never hears of a fact that is not there.
        const at = Date.now();
        for (const fact of learned.retired)
          this.events.publish(ctx.tenant, { kind: 'fact-retired', at, fact });
        if (!learned.reinforced)
          this.events.publish(ctx.tenant, { kind: 'fact-added', at, fact: learned.fact });
        return learned;
      },
      (r) => 1 + r.retired.length,
    );
  }

  private async learnFact(input: FactInput, tenant: string): Promise<Learned> {
    // Embeddings first: the model runs outside the graph transaction.
    const [subject, object] = await this.embedder.embed([input.subject, input.object]);
    return this.store.atomically(() =>
      this.learner.learn(input, tenant, { subject: subject!, object: object! }),
    );
  }

  /**
   * Current facts about the entities a request names (any 1–4 word span matching a name or alias), then, with
   * `hops`, about the entities that many facts away — named entities' facts first.
   */
  mentioned(text: string, hops: number, limit: number, ctx: CallContext): Promise<FactView[]> {
    return this.span(
      'mentioned',
      ctx,
      async () => {
        const words = normalizeName(text).split(' ').filter(Boolean);
        const spans = new Set<string>();
        for (let n = MAX_NAME_WORDS; n >= 1; n--) {
          for (let i = 0; i + n <= words.length && spans.size < MAX_SPANS; i++) {
            spans.add(words.slice(i, i + n).join(' '));
          }
        }
        const named = (await this.store.entitiesNamedAny(ctx.tenant, [...spans])).slice(0, MAX_NAMED);
        const ids = named.map((e) => e.id);
        if (hops > 0) {
          for (const e of named) {
            const around = await this.store.neighborhood(
              ctx.tenant,
              e.id,
              Math.min(3, hops) as 1 | 2 | 3,
              10,
            );
            ids.push(...around.map((n) => n.entity.id));
          }
        }
        const now = Date.now();
        const facts = new Map<string, FactView>();
        for (const id of [...new Set(ids)]) {
          if (facts.size >= limit) break;
          for (const f of await this.store.factsAbout(
            ctx.tenant,
            id,
            { validAt: now, knownAt: now },
            limit,
          )) {
            facts.set(f.id, f);
          }
        }
        return [...facts.values()].slice(0, limit);
      },
      (r) => r.length,
    );
  }

  /** The entity a name refers to, as learning would resolve it, or undefined. */
  /** Entities and facts of all tenants (the operator's size gauge). */
  totals(): Promise<ForgetCount> {
    return this.store.totals();
  }

  entity(name: string, ctx: CallContext): Promise<EntityRecord | undefined> {
    return this.span(
      'entity',
      ctx,
      async () => {
        const norm = normalizeName(name);
        if (!norm) return undefined;
        const [vector] = await this.embedder.embed([name]);
        return this.resolver.match(ctx.tenant, norm, undefined, vector!);
      },
      (e) => (e ? 1 : 0),
    );
  }

  entityById(id: string, ctx: CallContext): Promise<EntityRecord | undefined> {
    return this.span(
      'entity',
      ctx,
      () => this.store.entity(ctx.tenant, id),
      (e) => (e ? 1 : 0),
    );
  }

  /** Facts about the entity true in the world at `validAt`, as known at `knownAt` (both default to now). */
  facts(
    entityId: string,
    at: { validAt?: number; knownAt?: number },
    first: number,
    ctx: CallContext,
  ): Promise<FactView[]> {
    const now = Date.now();
    const window = { validAt: at.validAt ?? now, knownAt: at.knownAt ?? now };
    return this.span(
      'facts',
      ctx,
      () => this.store.factsAbout(ctx.tenant, entityId, window, first),
      (r) => r.length,
    );
  }

  neighborhood(entityId: string, hops: 1 | 2 | 3, first: number, ctx: CallContext): Promise<Neighbor[]> {
    return this.span(
      'neighborhood',
      ctx,
      () => this.store.neighborhood(ctx.tenant, entityId, hops, first),
      (r) => r.length,
    );
  }

  forgetEpisodes(episodeIds: string[], ctx: CallContext): Promise<ForgetCount> {
    return this.span(
      'forget',
      ctx,
      () => this.store.forgetEpisodes(ctx.tenant, episodeIds),
      (r) => r.facts + r.entities,
    );
  }

  forgetEverything(ctx: CallContext): Promise<ForgetCount> {
    return this.span(
      'forget',
      ctx,
      () => this.store.forgetTenant(ctx.tenant),
      (r) => r.facts + r.entities,
    );
  }

  private span<T>(
    operation: string,
    ctx: CallContext,
    fn: () => Promise<T>,
    count: (r: T) => number,
  ): Promise<T> {
    return memorySpan('semantic', operation, this.store.backend, ctx, fn, count);
  }
}
