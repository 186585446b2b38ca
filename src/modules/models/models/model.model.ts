import { Field, Float, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ModelStateGql {
  LOADING = 'loading',
  READY = 'ready',
  FAILED = 'failed',
  UNLOADED = 'unloaded',
}
registerEnumType(ModelStateGql, { name: 'ModelState' });

export enum ModelKindGql {
  LLM = 'llm',
  VISION = 'vision',
  SPEECH_TO_TEXT = 'speech-to-text',
  AUDIO_EMBEDDING = 'audio-embedding',
  TEXT_EMBEDDING = 'text-embedding',
}
registerEnumType(ModelKindGql, { name: 'ModelKind' });

@ObjectType({ description: 'A model this server serves (language, vision or audio).' })
export class Model {
  @Field(() => String) name!: string;
  @Field(() => ModelKindGql) kind!: ModelKindGql;
  @Field(() => ModelStateGql) state!: ModelStateGql;
  @Field(() => Int, { nullable: true, description: 'Tokens per sequence (language models).' })
  contextSize!: number | null;
  @Field(() => Int, { nullable: true, description: 'Requests generated in parallel (language models).' })
  parallel!: number | null;
  @Field(() => Boolean, { description: 'A bundled random-weight test model: its outputs are noise.' })
  testModel!: boolean;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Boolean, { description: 'Requests without a model (or naming `default`) get this one.' })
  isDefault!: boolean;
  @Field(() => Float, {
    nullable: true,
    description: 'Bytes of the model file, once it is known (after a pull).',
  })
  diskBytes!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Bytes of RAM it holds loaded, by the file’s own estimate (what the memory budget counts).',
  })
  memoryEstimateBytes!: number | null;
  @Field(() => Float, { nullable: true, description: 'Bytes its runtime reports holding now (loaded only).' })
  memoryBytes!: number | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was last loaded.' })
  loadedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When its last request ended.' })
  lastUsedAt!: Date | null;
  @Field(() => Float, { nullable: true, description: 'How long its last load took (ms).' }) loadMs!:
    number | null;
  @Field(() => Int, { nullable: true, description: 'Generations completed on it since start.' })
  requests!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Median time to first token of its last 200 generations (ms).',
  })
  ttftP50Ms!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Median decode rate of its last 200 generations (tokens/s).',
  })
  decodeTokensPerSecondP50!: number | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Idle seconds before it is unloaded; -1: kept until the memory budget needs its room.',
  })
  keepAliveSeconds!: number | null;
}
