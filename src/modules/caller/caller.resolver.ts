import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { Caller as CallerParam } from '../../graphql/caller.decorator.js';

@ObjectType({ description: 'Who the server thinks is calling: lets a client check its API key.' })
export class Caller {
  @Field(() => String, { description: 'The tenant every memory read and write of this caller is scoped to.' })
  tenant!: string;
}

@Resolver(() => Caller)
export class CallerResolver {
  @Query(() => Caller, { description: 'The authenticated caller.' })
  me(@CallerParam() caller: CallContext): Caller {
    return { tenant: caller.tenant };
  }
}
