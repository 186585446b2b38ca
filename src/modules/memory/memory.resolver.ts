import { Args, Context, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { callContextOf, type GqlContext } from '../../graphql/graphql-context.js';
import { COST, Cost, perItem, recallCost, recallMedia } from '../../graphql/query-cost.js';
import { FusionService } from '../fusion/fusion.service.js';
import { ForgetInput } from './dto/forget.input.js';
import { EpisodesArgs, RecallArgs } from './dto/recall.args.js';
import { decodeCursor, encodeCursor, toEpisode, toMemory } from './memory.mapper.js';
import { MemoryService, type ForgetScope } from './memory.service.js';
import { EpisodeConnection, ForgetResult, Memory, MemoryTierGql } from './models/memory.model.js';

@Resolver()
export class MemoryResolver {
  constructor(
    private readonly memory: MemoryService,
    private readonly fusion: FusionService,
  ) {}

  @Query(() => [Memory], {
    description: 'Search your memory: episodic by relevance, working = a session’s recent turns.',
  })
  @Cost(recallCost, { perRequest: 8, media: recallMedia })
  async recall(@Args() args: RecallArgs, @Context() gql: GqlContext): Promise<Memory[]> {
    if (args.sessionId === undefined && args.tiers.every((t) => t === MemoryTierGql.WORKING)) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        'The WORKING tier is one session’s recent turns: pass sessionId.',
      );
    }
    if (!args.query.trim() && !args.image && !args.audio) {
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'Give a query, an image or audio to recall by.');
    }
    const ctx = callContextOf(gql);
    // A media query is perceived like an ask's media: its shared-space vectors are matched per column.
    const percept =
      args.image || args.audio
        ? await this.fusion.fuse(
            {
              text: args.query,
              images: args.image ? [args.image] : [],
              audio: args.audio,
              imageAnswering: 'none',
            },
            ctx,
          )
        : undefined;
    const words = [args.query, percept?.transcript ?? ''].join(' ').trim();
    const hits = await this.memory.recall(
      words,
      args.tiers,
      args.first,
      args.sessionId,
      ctx,
      percept?.vectors,
    );
    return hits.map(toMemory);
  }

  @Query(() => EpisodeConnection, { description: 'One session’s episodes, oldest first, a page at a time.' })
  @Cost(perItem(COST.search))
  async episodes(@Args() args: EpisodesArgs, @Context() gql: GqlContext): Promise<EpisodeConnection> {
    // Relay clients send an explicit null for the first page.
    const after = args.after == null ? undefined : decodeCursor(args.after);
    const rows = await this.memory.episodes(args.sessionId, args.first + 1, after, callContextOf(gql));
    const page = rows.slice(0, args.first);
    const edges = page.map((e) => ({ cursor: encodeCursor(e), node: toEpisode(e) }));
    return {
      edges,
      pageInfo: { hasNextPage: rows.length > args.first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  @Mutation(() => ForgetResult, {
    description: 'Forget one episode, a session, or everything; counts per tier.',
  })
  @Cost(COST.write * 10, { perRequest: 1 })
  async forget(@Args('input') input: ForgetInput, @Context() gql: GqlContext): Promise<ForgetResult> {
    const counts = await this.memory.forget(scopeOf(input), callContextOf(gql));
    return { ...counts, total: counts.working + counts.episodic + counts.semantic };
  }
}

function scopeOf(input: ForgetInput): ForgetScope {
  const { episodeId, sessionId, everything } = input;
  const given = [episodeId, sessionId, everything].filter((v) => v !== undefined && v !== null);
  if (given.length !== 1) {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      'forget takes exactly one of episodeId, sessionId or everything: true.',
    );
  }
  // Each branch tests for presence, never truthiness: an empty id must not fall through to "everything".
  if (episodeId !== undefined && episodeId !== null) return { episodeId };
  if (sessionId !== undefined && sessionId !== null) return { sessionId };
  if (everything === true) return { everything: true };
  throw new MnemeError(ErrorCode.BAD_REQUEST, 'everything must be true when given.');
}
