import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'A candidate label and its probability among the labels asked about.' })
export class LabelScore {
  @Field(() => String) label!: string;
  @Field(() => Float) score!: number;
}

@ObjectType({ description: 'Zero-shot labels of one image, best first.' })
export class ImageClassification {
  @Field(() => [LabelScore]) labels!: LabelScore[];
  @Field(() => String) model!: string;
}
