import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'An audio clip in the audio model’s embedding space (L2-normalized).' })
export class AudioEmbedding {
  @Field(() => [Float]) embedding!: number[];
  @Field(() => Int) dims!: number;
  @Field(() => String) model!: string;
  @Field(() => Float) durationSeconds!: number;
}
