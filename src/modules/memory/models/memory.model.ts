import { Field, Float, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum MemoryTierGql {
  WORKING = 'working',
  EPISODIC = 'episodic',
  SEMANTIC = 'semantic',
}
registerEnumType(MemoryTierGql, {
  name: 'MemoryTier',
  description:
    'WORKING: the recent turns of a session. EPISODIC: everything remembered, searchable. SEMANTIC: facts ' +
    'about entities (a knowledge graph).',
});

@ObjectType({ description: 'One recalled memory.' })
export class Memory {
  @Field(() => ID) id!: string;
  @Field(() => MemoryTierGql) tier!: MemoryTierGql;
  @Field(() => String) sessionId!: string;
  @Field(() => String, { description: 'user or assistant.' }) role!: string;
  @Field(() => String) text!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => Float, { description: 'Relevance; comparable within one tier of one answer only.' })
  score!: number;
  @Field(() => Boolean, {
    description:
      'Found while recall by meaning covered only part of memory (the text-embedding model changed and a ' +
      're-embed is under way): full-text matching stood in for the rest.',
  })
  degraded!: boolean;
}

@ObjectType({ description: 'A remembered turn in episodic memory.' })
export class Episode {
  @Field(() => ID) id!: string;
  @Field(() => String) sessionId!: string;
  @Field(() => String, {
    description: 'user, assistant, or summary (of turns that overflowed the session window; see sources).',
  })
  role!: string;
  @Field(() => String) text!: string;
  @Field(() => String) summary!: string;
  @Field(() => [ID], {
    description: 'A summary’s originals: the turns (and the earlier summary) it was written from.',
  })
  sources!: string[];
  @Field(() => String, { description: 'text, image, audio or multimodal.' }) modality!: string;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => Float, { description: '0..1.' }) importance!: number;
  @Field(() => Int, { description: 'How often it was recalled.' }) accessCount!: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastAccessAt!: Date | null;
  @Field(() => [String], { description: 'Content hashes of media stored with it.' }) media!: string[];
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When decay archived it (recall no longer finds it; forget still can).',
  })
  archivedAt!: Date | null;
}

@ObjectType()
export class EpisodeEdge {
  @Field(() => String) cursor!: string;
  @Field(() => Episode) node!: Episode;
}

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

@ObjectType({
  description:
    'A page of episodes: a session’s oldest first, all of yours newest first (unless `order` says).',
})
export class EpisodeConnection {
  @Field(() => [EpisodeEdge]) edges!: EpisodeEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType('Session', { description: 'A conversation: its episodes’ time span, turns and latest summary.' })
export class SessionGql {
  @Field(() => String) id!: string;
  @Field(() => GraphQLISODateTime, { description: 'Its first episode.' }) firstAt!: Date;
  @Field(() => GraphQLISODateTime, { description: 'Its latest episode.' }) lastAt!: Date;
  @Field(() => Int, { description: 'User and assistant turns (summaries not counted).' }) turns!: number;
  @Field(() => String, { nullable: true, description: 'Its latest rolling summary, if it has one.' })
  summary!: string | null;
}

@ObjectType()
export class SessionEdge {
  @Field(() => String) cursor!: string;
  @Field(() => SessionGql) node!: SessionGql;
}

@ObjectType({ description: 'A page of your sessions, most recently active first.' })
export class SessionConnection {
  @Field(() => [SessionEdge]) edges!: SessionEdge[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@ObjectType({ description: 'How many items each tier deleted.' })
export class ForgetResult {
  @Field(() => Int) working!: number;
  @Field(() => Int) episodic!: number;
  @Field(() => Int, { description: 'Facts and entities only the forgotten episodes had taught.' })
  semantic!: number;
  @Field(() => Int, {
    description:
      'Cached prompt states (the LLM’s evaluated tokens) that held the forgotten conversation; not in total.',
  })
  promptCache!: number;
  @Field(() => Int, { description: 'Items deleted from the three memory tiers.' }) total!: number;
}
