import { Context, Field, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { tenantOf, type GqlContext } from '../../graphql/graphql-context.js';

@ObjectType({ description: 'Who the server thinks is calling: lets a client check its API key.' })
export class Caller {
  @Field(() => String, { description: 'The tenant every memory read and write of this caller is scoped to.' })
  tenant!: string;
}

@Resolver(() => Caller)
export class CallerResolver {
  @Query(() => Caller, { description: 'The authenticated caller.' })
  me(@Context() gql: GqlContext): Caller {
    return { tenant: tenantOf(gql) };
  }
}
