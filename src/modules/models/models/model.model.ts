import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

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
}
