import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

@ObjectType('Entity', { description: 'Someone or something the agent knows facts about.' })
export class EntityGql {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'The most specific name it was called by.' }) name!: string;
  @Field(() => String, { description: 'person, place, organization, …; "thing" when never said.' })
  type!: string;
  @Field(() => [String], { description: 'Other names it was called by (normalized).' }) aliases!: string[];
  @Field(() => String) summary!: string;
  @Field(() => [String], { description: 'Episodes it was learned from.' }) episodes!: string[];
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

export enum FactRetirementGql {
  CONTRADICTED = 'contradicted',
  RETRACTED = 'retracted',
  CORRECTED = 'corrected',
}
registerEnumType(FactRetirementGql, {
  name: 'FactRetirement',
  description:
    'CONTRADICTED: a newer fact said otherwise; RETRACTED: a caller said it was wrong; CORRECTED: and what is.',
});

@ObjectType('Fact', {
  description:
    'subject —predicate→ object, bi-temporal: true in the world from validFrom to validTo, known to Mneme from ' +
    'createdAt to expiredAt. A contradicted fact is expired, never deleted.',
})
export class FactGql {
  @Field(() => ID) id!: string;
  @Field(() => ID) subjectId!: string;
  @Field(() => String) subject!: string;
  @Field(() => String, { description: 'lower snake case, e.g. lives_in.' }) predicate!: string;
  @Field(() => ID) objectId!: string;
  @Field(() => String) object!: string;
  @Field(() => GraphQLISODateTime) validFrom!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'null: still true.' })
  validTo!: Date | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'null: current knowledge.' })
  expiredAt!: Date | null;
  @Field(() => Float) confidence!: number;
  @Field(() => [String], { description: 'Episodes it was learned from (provenance); empty when stated.' })
  episodes!: string[];
  @Field(() => ID, {
    description:
      'The first version’s id: its closed copies, corrections and the facts that contradicted it share it.',
  })
  lineage!: string;
  @Field(() => FactRetirementGql, {
    nullable: true,
    description: 'Why it left current knowledge; null while current.',
  })
  retiredBy!: FactRetirementGql | null;
  @Field(() => String, { nullable: true, description: 'The reason given with a retraction or correction.' })
  retiredReason!: string | null;
  @Field(() => ID, { nullable: true, description: 'The fact that took its place.' })
  supersededBy!: string | null;
}

@ObjectType({ description: 'A fact and every version of it, oldest known first (the fact among them).' })
export class FactHistoryGql {
  @Field(() => FactGql) fact!: FactGql;
  @Field(() => [FactGql]) history!: FactGql[];
}

@ObjectType({ description: 'A corrected fact, now retired, and the fact that replaced it.' })
export class CorrectedFact {
  @Field(() => FactGql) retired!: FactGql;
  @Field(() => FactGql) fact!: FactGql;
}

@ObjectType({ description: 'A fact just learned, what it retired, and whether it was already known.' })
export class LearnedFact {
  @Field(() => FactGql) fact!: FactGql;
  @Field(() => [FactGql]) retired!: FactGql[];
  @Field(() => Boolean) reinforced!: boolean;
}

@ObjectType({ description: 'An entity reached through current facts, and how many hops away.' })
class Neighbor {
  @Field(() => EntityGql) entity!: EntityGql;
  @Field(() => Int) hops!: number;
}

@ObjectType({ description: 'The entities around one entity, nearest first.' })
export class Neighborhood {
  @Field(() => EntityGql) center!: EntityGql;
  @Field(() => [Neighbor]) neighbors!: Neighbor[];
}

@ObjectType({ description: 'The background consolidation worker (episodic → semantic fact extraction).' })
export class ConsolidationStatusGql {
  @Field(() => Int, { description: 'Your episodes waiting for extraction.' }) pending!: number;
  @Field(() => Boolean) running!: boolean;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastRun!: Date | null;
  @Field(() => Int, { description: 'Episodes consolidated since the server started.' }) processed!: number;
  @Field(() => Int, {
    description: 'Extraction and summarizing passes that failed since the server started.',
  })
  failures!: number;
  @Field(() => Int, { description: 'Session summaries written since the server started.' })
  summaries!: number;
  @Field(() => Int, { description: 'Sessions with new turns waiting to be looked at for a summary.' })
  pendingSummaries!: number;
}

export enum MemoryEventKind {
  FACT_ADDED = 'FACT_ADDED',
  FACT_RETIRED = 'FACT_RETIRED',
  EPISODE_CONSOLIDATED = 'EPISODE_CONSOLIDATED',
  SESSION_SUMMARIZED = 'SESSION_SUMMARIZED',
}
registerEnumType(MemoryEventKind, { name: 'MemoryEventKind' });

@ObjectType({ description: 'Something your memory learned, retired or consolidated.' })
export class MemoryEventGql {
  @Field(() => MemoryEventKind) kind!: MemoryEventKind;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => FactGql, { nullable: true, description: 'FACT_ADDED, FACT_RETIRED.' }) fact!: FactGql | null;
  @Field(() => ID, {
    nullable: true,
    description: 'EPISODE_CONSOLIDATED: the episode; SESSION_SUMMARIZED: the summary episode written.',
  })
  episodeId!: string | null;
  @Field(() => Int, { nullable: true, description: 'EPISODE_CONSOLIDATED: facts extracted.' }) facts!:
    number | null;
  @Field(() => String, { nullable: true, description: 'SESSION_SUMMARIZED.' }) sessionId!: string | null;
  @Field(() => Int, { nullable: true, description: 'SESSION_SUMMARIZED: turns the summary covers.' })
  turns!: number | null;
}
