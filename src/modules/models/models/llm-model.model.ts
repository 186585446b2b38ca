import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ModelStateGql {
  LOADING = 'loading',
  READY = 'ready',
  FAILED = 'failed',
  UNLOADED = 'unloaded',
}
registerEnumType(ModelStateGql, { name: 'ModelState' });

@ObjectType({ description: 'A language model this server serves.' })
export class LlmModel {
  @Field(() => String) name!: string;
  @Field(() => ModelStateGql) state!: ModelStateGql;
  @Field(() => Int, { description: 'Tokens per sequence.' }) contextSize!: number;
  @Field(() => Int, { description: 'Requests generated in parallel.' }) parallel!: number;
  @Field(() => Boolean, { description: 'The bundled random-weight test model: its answers are noise.' })
  testModel!: boolean;
  @Field(() => String, { nullable: true }) error!: string | null;
}
