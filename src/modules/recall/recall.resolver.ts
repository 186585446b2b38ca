import { Args, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { Caller } from '../../graphql/caller.decorator.js';
import { Cost, recallCost, recallMedia } from '../../graphql/query-cost.js';
import { FusionService } from '../fusion/fusion.service.js';
import { toMemory } from '../memory/memory.mapper.js';
import { MemoryService } from '../memory/memory.service.js';
import { Memory, MemoryTierGql } from '../memory/models/memory.model.js';
import { RecallArgs } from './dto/recall.args.js';

/**
 * Searching memory by words, an image or a sound. It sits above memory and fusion (it uses both): a query image
 * or sound is perceived and projected into the shared space first, and memory is searched with the vectors.
 */
@Resolver()
export class RecallResolver {
  constructor(
    private readonly memory: MemoryService,
    private readonly fusion: FusionService,
  ) {}

  @Query(() => [Memory], {
    description: 'Search your memory: episodic by relevance, working = a session’s recent turns.',
  })
  @Cost(recallCost, { perRequest: 8, media: recallMedia })
  async recall(@Args() args: RecallArgs, @Caller() caller: CallContext): Promise<Memory[]> {
    if (args.sessionId === undefined && args.tiers.every((t) => t === MemoryTierGql.WORKING)) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        'The WORKING tier is one session’s recent turns: pass sessionId.',
      );
    }
    if (!args.query.trim() && !args.image && !args.audio) {
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'Give a query, an image or audio to recall by.');
    }
    const percept =
      args.image || args.audio
        ? await this.fusion.fuse(
            {
              text: args.query,
              images: args.image ? [args.image] : [],
              audio: args.audio,
              imageAnswering: 'none',
            },
            caller,
          )
        : undefined;
    const words = [args.query, percept?.transcript ?? ''].join(' ').trim();
    const hits = await this.memory.recall(
      words,
      args.tiers,
      args.first,
      args.sessionId,
      caller,
      percept?.vectors,
    );
    return hits.map(toMemory);
  }
}
