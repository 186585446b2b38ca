import { Field, Float, ObjectType } from '@nestjs/graphql';
import { LabelScore } from '../../vision/models/image-classification.model.js';

@ObjectType({ description: 'What the server perceived in one attached image.' })
export class ImagePerception {
  @Field(() => [LabelScore], { description: 'Top zero-shot labels from the server’s default label set.' })
  labels!: LabelScore[];
}

@ObjectType({ description: 'What the ask’s media were perceived as, and put into the prompt.' })
export class Perception {
  @Field(() => [ImagePerception]) images!: ImagePerception[];
  @Field(() => String, { nullable: true, description: 'Transcript of the attached audio.' })
  transcript!: string | null;
  @Field(() => Float, {
    nullable: true,
    description: 'How well the modalities agree in the shared space (0..1); null until fused vectors exist.',
  })
  alignment!: number | null;
}
