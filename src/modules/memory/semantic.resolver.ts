import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { mapAsyncIterator } from '../../common/map-async-iterator.js';
import type { CallContext } from '../../common/call-context.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { COST, Cost, perItem } from '../../graphql/query-cost.js';
import { MemoryEventBus, type MemoryEvent } from './memory-events.js';
import { FactInputGql, FactsArgs, NeighborhoodArgs } from './dto/semantic.args.js';
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
import { toEntity, toFact } from './semantic.mapper.js';
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
  memoryEvents(@Caller() caller: CallContext): AsyncIterator<MemoryEventGql> {
    return mapAsyncIterator(this.events.subscribe(caller.tenant), toEvent);
  }

  @Query(() => ConsolidationStatusGql, { description: 'What the consolidation worker is doing.' })
  async consolidation(@Caller() caller: CallContext): Promise<ConsolidationStatusGql> {
    const status = this.worker.status();
    return {
      ...status,
      pending: await this.worker.pending(caller),
      pendingSummaries: this.worker.pendingSummaries(caller),
      lastRun: status.lastRun === undefined ? null : new Date(status.lastRun),
    };
  }

  @Query(() => EntityGql, { nullable: true, description: 'An entity you know, by name or alias.' })
  @Cost(COST.search)
  async entity(@Args('name') name: string, @Caller() caller: CallContext): Promise<EntityGql | null> {
    const found = await this.semantic.entity(name, caller);
    return found ? toEntity(found) : null;
  }

  @Query(() => [FactGql], {
    description:
      'Facts about an entity, true at `at` as known at `knownAt`; none for an entity you do not know.',
  })
  @Cost(perItem(COST.search))
  async facts(@Args() args: FactsArgs, @Caller() caller: CallContext): Promise<FactGql[]> {
    // Not found is "nothing", as for entity and neighborhood: an error here would null every sibling field.
    const entity = await this.semantic.entity(args.about, caller);
    if (!entity) return [];
    const window = { validAt: args.at?.getTime(), knownAt: args.knownAt?.getTime() };
    return (await this.semantic.facts(entity.id, window, args.first, caller)).map(toFact);
  }

  @Query(() => Neighborhood, {
    nullable: true,
    description:
      'Entities within `hops` current facts of one, nearest first; null for an entity you do not know.',
  })
  @Cost((args, child) => COST.search * Number(args.hops ?? 1) + child)
  async neighborhood(
    @Args() args: NeighborhoodArgs,
    @Caller() caller: CallContext,
  ): Promise<Neighborhood | null> {
    const center = await this.semantic.entityById(args.entityId, caller);
    if (!center) return null;
    const neighbors = await this.semantic.neighborhood(center.id, args.hops as 1 | 2 | 3, args.first, caller);
    return {
      center: toEntity(center),
      neighbors: neighbors.map((n) => ({ entity: toEntity(n.entity), hops: n.hops })),
    };
  }

  @Mutation(() => LearnedFact, {
    description: 'Tell the agent a fact. One that contradicts a current fact retires it (kept, expired).',
  })
  @Cost(COST.write, { perRequest: 16 })
  async learnFact(@Args('input') input: FactInputGql, @Caller() caller: CallContext): Promise<LearnedFact> {
    const learned = await this.semantic.learn({ ...input, validFrom: input.validFrom?.getTime() }, caller);
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
