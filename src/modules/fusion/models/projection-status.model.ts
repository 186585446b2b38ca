import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description: 'A fitted projection of one modality into the shared embedding space, and its fit quality.',
})
export class ProjectionStatus {
  @Field(() => String, { description: 'image (CLIP) or audio (CLAP).' }) modality!: string;
  @Field(() => Boolean) available!: boolean;
  @Field(() => String, { nullable: true, description: 'Source encoder, name:dims.' }) source!: string | null;
  @Field(() => String, { nullable: true, description: 'Target (shared) space, name:dims.' }) target!:
    string | null;
  @Field(() => Float, {
    nullable: true,
    description: 'Mean cosine of projected vs target on held-out texts.',
  })
  heldOutCosine!: number | null;
  @Field(() => Float, {
    nullable: true,
    description: 'The same for mismatched pairs: alignment’s zero point.',
  })
  shuffledCosine!: number | null;
  @Field(() => Int, { nullable: true }) pairs!: number | null;
  @Field(() => String, { nullable: true, description: 'Why it is not available.' }) problem!: string | null;
}
