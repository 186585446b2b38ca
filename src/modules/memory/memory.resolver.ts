import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { CallContext } from '../../common/call-context.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { COST, Cost, perItem } from '../../graphql/query-cost.js';
import { ForgetInput } from './dto/forget.input.js';
import { EpisodesArgs } from './dto/episodes.args.js';
import { decodeCursor, encodeCursor, toEpisode } from './memory.mapper.js';
import { MemoryService, type ForgetScope } from './memory.service.js';
import { EpisodeConnection, ForgetResult } from './models/memory.model.js';

@Resolver()
export class MemoryResolver {
  constructor(private readonly memory: MemoryService) {}

  @Query(() => EpisodeConnection, { description: 'One session’s episodes, oldest first, a page at a time.' })
  @Cost(perItem(COST.search))
  async episodes(@Args() args: EpisodesArgs, @Caller() caller: CallContext): Promise<EpisodeConnection> {
    // Relay clients send an explicit null for the first page.
    const after = args.after == null ? undefined : decodeCursor(args.after);
    const rows = await this.memory.episodes(args.sessionId, args.first + 1, after, caller);
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
  async forget(@Args('input') input: ForgetInput, @Caller() caller: CallContext): Promise<ForgetResult> {
    const counts = await this.memory.forget(scopeOf(input), caller);
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
