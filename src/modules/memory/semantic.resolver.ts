import { Args, Context, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { mapAsyncIterator } from '../../common/map-async-iterator.js';
import { callContextOf, tenantOf, type GqlContext } from '../../graphql/graphql-context.js';
import { COST, Cost, perItem } from '../../graphql/query-cost.js';
import { MemoryEventBus, type MemoryEvent } from './memory-events.js';
import { FactInput, FactsArgs, NeighborhoodArgs } from './dto/semantic.args.js';
import { ConsolidationService } from './consolidation/consolidation.service.js';
import {
  ConsolidationStatusGql,
  EntityGql,
  MemoryEventGql,
  MemoryEventKind,
  FactGql,
  LearnedFact,
  Neighborhood,
} from './models/semantic.model.js';
import type { EntityRecord, FactView } from './semantic/graph-store.js';
import { SemanticMemoryService } from './semantic/semantic-memory.service.js';

@Resolver()
export class SemanticResolver {
  constructor(
    private readonly semantic: SemanticMemoryService,
    private readonly worker: ConsolidationService,
    private readonly events: MemoryEventBus,
  ) {}

  @Subscription(() => MemoryEventGql, {
    description: 'Facts added and retired, episodes consolidated — your tenant’s, as they happen.',
    resolve: (event: MemoryEventGql) => event,
  })
  memoryEvents(@Context() gql: GqlContext): AsyncIterator<MemoryEventGql> {
    return mapAsyncIterator(this.events.subscribe(tenantOf(gql)), toEvent);
  }

  @Query(() => ConsolidationStatusGql, { description: 'What the consolidation worker is doing.' })
  async consolidation(@Context() gql: GqlContext): Promise<ConsolidationStatusGql> {
    const status = this.worker.status();
    return {
      ...status,
      pending: await this.worker.pending(callContextOf(gql)),
      pendingSummaries: this.worker.pendingSummaries(callContextOf(gql)),
      lastRun: status.lastRun === undefined ? null : new Date(status.lastRun),
    };
  }

  @Query(() => EntityGql, { nullable: true, description: 'An entity you know, by name or alias.' })
  @Cost(COST.search)
  async entity(@Args('name') name: string, @Context() gql: GqlContext): Promise<EntityGql | null> {
    const found = await this.semantic.entity(name, callContextOf(gql));
    return found ? toEntity(found) : null;
  }

  @Query(() => [FactGql], { description: 'Facts about an entity, true at `at` as known at `knownAt`.' })
  @Cost(perItem(COST.search))
  async facts(@Args() args: FactsArgs, @Context() gql: GqlContext): Promise<FactGql[]> {
    const ctx = callContextOf(gql);
    const entity = await this.semantic.entity(args.about, ctx);
    if (!entity) throw new MnemeError(ErrorCode.NOT_FOUND, `No entity named "${args.about}" in your memory.`);
    const window = { validAt: args.at?.getTime(), knownAt: args.knownAt?.getTime() };
    return (await this.semantic.facts(entity.id, window, args.first, ctx)).map(toFact);
  }

  @Query(() => Neighborhood, { description: 'Entities within `hops` current facts of one, nearest first.' })
  @Cost((args, child) => COST.search * Number(args.hops ?? 1) + child)
  async neighborhood(@Args() args: NeighborhoodArgs, @Context() gql: GqlContext): Promise<Neighborhood> {
    const ctx = callContextOf(gql);
    const center = await this.semantic.entityById(args.entityId, ctx);
    if (!center) throw new MnemeError(ErrorCode.NOT_FOUND, `No entity ${args.entityId} in your memory.`);
    const neighbors = await this.semantic.neighborhood(center.id, args.hops as 1 | 2 | 3, args.first, ctx);
    return {
      center: toEntity(center),
      neighbors: neighbors.map((n) => ({ entity: toEntity(n.entity), hops: n.hops })),
    };
  }

  @Mutation(() => LearnedFact, {
    description: 'Tell the agent a fact. One that contradicts a current fact retires it (kept, expired).',
  })
  @Cost(COST.write, { perRequest: 16 })
  async learnFact(@Args('input') input: FactInput, @Context() gql: GqlContext): Promise<LearnedFact> {
    const learned = await this.semantic.learn(
      { ...input, validFrom: input.validFrom?.getTime() },
      callContextOf(gql),
    );
    return {
      fact: toFact(learned.fact),
      retired: learned.retired.map(toFact),
      reinforced: learned.reinforced,
    };
  }
}

function toEvent(event: MemoryEvent): MemoryEventGql {
  const at = new Date(event.at);
  switch (event.kind) {
    case 'fact-added':
    case 'fact-retired':
      return {
        kind: event.kind === 'fact-added' ? MemoryEventKind.FACT_ADDED : MemoryEventKind.FACT_RETIRED,
        at,
        fact: toFact(event.fact),
        episodeId: null,
        facts: null,
        sessionId: null,
        turns: null,
      };
    case 'episode-consolidated':
      return {
        kind: MemoryEventKind.EPISODE_CONSOLIDATED,
        at,
        fact: null,
        episodeId: event.episodeId,
        facts: event.facts,
        sessionId: null,
        turns: null,
      };
    case 'session-summarized':
      return {
        kind: MemoryEventKind.SESSION_SUMMARIZED,
        at,
        fact: null,
        episodeId: event.episodeId,
        facts: null,
        sessionId: event.sessionId,
        turns: event.turns,
      };
  }
}

function toEntity(e: EntityRecord): EntityGql {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    aliases: e.aliases,
    summary: e.summary,
    episodes: e.episodes,
    createdAt: new Date(e.createdAt),
  };
}

function toFact(f: FactView): FactGql {
  return {
    id: f.id,
    subjectId: f.subjectId,
    subject: f.subject,
    predicate: f.predicate,
    objectId: f.objectId,
    object: f.object,
    validFrom: new Date(f.validFrom),
    validTo: f.validTo === null ? null : new Date(f.validTo),
    createdAt: new Date(f.createdAt),
    expiredAt: f.expiredAt === null ? null : new Date(f.expiredAt),
    confidence: f.confidence,
    episodes: f.episodes,
  };
}
