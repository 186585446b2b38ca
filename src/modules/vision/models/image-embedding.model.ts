import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'An image in the vision model’s embedding space (L2-normalized).' })
export class ImageEmbedding {
  @Field(() => [Float]) embedding!: number[];
  @Field(() => Int) dims!: number;
  @Field(() => String) model!: string;
  @Field(() => Int, { description: 'Source width after EXIF orientation.' }) width!: number;
  @Field(() => Int, { description: 'Source height after EXIF orientation.' }) height!: number;
}
