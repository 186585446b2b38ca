import { Args, ArgsType, Field, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { CallContext } from '../../common/call-context.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { COST, Cost, perInput, perItem } from '../../graphql/query-cost.js';
import { ArrayMaxSize, ArrayMinSize, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { ForgetInput } from './dto/forget.input.js';
import { RememberInput, RememberRole, UpdateEpisodeInput } from './dto/remember.input.js';
import { MemoryEntries, type MemoryEntry } from './memory-entries.service.js';
import { EpisodeOrder, EpisodesArgs, SessionsArgs } from './dto/episodes.args.js';
import { decodeSessionCursor, encodeSessionCursor } from './sessions.js';
import { decodeCursor, encodeCursor, toEpisode } from './memory.mapper.js';
import { Forgetting } from './forgetting.service.js';
import type { ForgetScope } from './memory.service.js';
import { Episode, EpisodeConnection, ForgetResult, SessionConnection } from './models/memory.model.js';

// One call's batch: enough for an import in pages, bounded so one request stays one write of bounded size.
const MAX_BATCH = 500;

@ArgsType()
class RememberManyArgs {
  @Field(() => [RememberInput])
  @ArrayMinSize(1, { message: 'inputs must hold at least one memory' })
  @ArrayMaxSize(MAX_BATCH, {
    message: `at most ${MAX_BATCH} memories per call; send the rest in further calls`,
  })
  @ValidateNested({ each: true })
  @Type(() => RememberInput)
  inputs!: RememberInput[];
}

@Resolver()
export class MemoryResolver {
  constructor(
    private readonly entries: MemoryEntries,
    private readonly forgetting: Forgetting,
  ) {}

  @Mutation(() => Episode, {
    description:
      'Store a memory as it is, without the LLM (queued for fact extraction when the user said it).',
  })
  @Cost(COST.write)
  async remember(@Args('input') input: RememberInput, @Caller() caller: CallContext): Promise<Episode> {
    const [stored] = await this.entries.remember([entryOf(input)], caller);
    return toEpisode(stored!);
  }

  @Mutation(() => [Episode], {
    description: `Store up to ${MAX_BATCH} memories at once, in order (an import); all or none are stored.`,
  })
  @Cost(perInput)
  async rememberMany(
    @Args() { inputs }: RememberManyArgs,
    @Caller() caller: CallContext,
  ): Promise<Episode[]> {
    return (await this.entries.remember(inputs.map(entryOf), caller)).map(toEpisode);
  }

  @Mutation(() => Episode, {
    description:
      'Change an episode’s text (re-embedded; facts only its old words taught are dropped, then re-extracted) ' +
      'or importance. Listed in memoryAudit.',
  })
  @Cost(COST.write)
  async updateEpisode(
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateEpisodeInput,
    @Caller() caller: CallContext,
  ): Promise<Episode> {
    const change = {
      ...(input.text != null && { text: input.text }),
      ...(input.importance != null && { importance: input.importance }),
    };
    return toEpisode(await this.entries.update(id, change, caller));
  }

  @Query(() => Episode, { description: 'One of your episodes by id; NOT_FOUND for any other.' })
  @Cost(COST.search)
  async episode(@Args('id', { type: () => ID }) id: string, @Caller() caller: CallContext): Promise<Episode> {
    return toEpisode(await this.entries.episode(id, caller));
  }

  @Query(() => EpisodeConnection, {
    description:
      'Episodes a page at a time: one session’s (oldest first) or all of yours (newest first), by time and modality.',
  })
  @Cost(perItem(COST.search))
  async episodes(@Args() args: EpisodesArgs, @Caller() caller: CallContext): Promise<EpisodeConnection> {
    // Relay clients send an explicit null for the first page.
    const after = args.after == null ? undefined : decodeCursor(args.after);
    const query = {
      ...(args.sessionId != null && { sessionId: args.sessionId }),
      ...(args.from instanceof Date && { from: args.from.getTime() }),
      ...(args.to instanceof Date && { to: args.to.getTime() }),
      ...(args.modality != null && { modality: args.modality }),
      ...(args.order != null && { newestFirst: args.order === EpisodeOrder.NEWEST_FIRST }),
    };
    const rows = await this.entries.episodes(query, args.first + 1, after, caller);
    const page = rows.slice(0, args.first);
    const edges = page.map((e) => ({ cursor: encodeCursor(e), node: toEpisode(e) }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Query(() => SessionConnection, {
    description: 'Your sessions, most recently active first, a page at a time.',
  })
  @Cost(perItem(COST.search))
  async sessions(@Args() args: SessionsArgs, @Caller() caller: CallContext): Promise<SessionConnection> {
    const after = args.after == null ? undefined : decodeSessionCursor(args.after);
    const { page, more } = await this.entries.sessions(args.first, after, caller);
    const edges = page.map((s) => ({
      cursor: encodeSessionCursor(s),
      node: { ...s, firstAt: new Date(s.firstAt), lastAt: new Date(s.lastAt) },
    }));
    return { edges, pageInfo: { hasNextPage: more, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @Mutation(() => ForgetResult, {
    description:
      'Forget one episode, a session, one fact (with its history) or everything; counts per tier. Listed in memoryAudit.',
  })
  @Cost(COST.write * 10, { perRequest: 1 })
  async forget(@Args('input') input: ForgetInput, @Caller() caller: CallContext): Promise<ForgetResult> {
    const counts = await this.forgetting.forget(scopeOf(input), caller);
    return { ...counts, total: counts.working + counts.episodic + counts.semantic };
  }
}

function entryOf(input: RememberInput): MemoryEntry {
  return {
    text: input.text,
    role: input.role ?? RememberRole.USER,
    ...(input.sessionId !== undefined && input.sessionId !== null && { sessionId: input.sessionId }),
    ...(input.importance !== undefined && input.importance !== null && { importance: input.importance }),
    ...(input.createdAt instanceof Date && { createdAt: input.createdAt.getTime() }),
  };
}

function scopeOf(input: ForgetInput): ForgetScope {
  const { episodeId, sessionId, factId, everything } = input;
  const given = [episodeId, sessionId, factId, everything].filter((v) => v !== undefined && v !== null);
  if (given.length !== 1) {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      'forget takes exactly one of episodeId, sessionId, factId or everything: true.',
    );
  }
  // Each branch tests for presence, never truthiness: an empty id must not fall through to "everything".
  if (episodeId !== undefined && episodeId !== null) return { episodeId };
  if (sessionId !== undefined && sessionId !== null) return { sessionId };
  if (factId !== undefined && factId !== null) return { factId };
  if (everything === true) return { everything: true };
  throw new MnemeError(ErrorCode.BAD_REQUEST, 'everything must be true when given.');
}
