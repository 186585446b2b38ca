import { Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import type { CallContext } from '../../common/call-context.js';
import { Caller } from '../../graphql/caller.decorator.js';

@ObjectType('Caller', { description: 'Who the server thinks is calling: lets a client check its API key.' })
export class CallerModel {
  @Field(() => String, { description: 'The tenant every memory read and write of this caller is scoped to.' })
  tenant!: string;
}

@Resolver(() => CallerModel)
export class CallerResolver {
  @Query(() => CallerModel, { description: 'The authenticated caller.' })
  me(@Caller() caller: CallContext): CallerModel {
    return { tenant: caller.tenant };
  }
}
