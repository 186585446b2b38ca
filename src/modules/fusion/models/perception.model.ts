import { Field, Float, ObjectType, registerEnumType } from '@nestjs/graphql';
import { LabelScore } from '../../vision/models/image-classification.model.js';

@ObjectType({ description: 'What the server perceived in one attached image.' })
export class ImagePerception {
  @Field(() => [LabelScore], { description: 'Top zero-shot labels from the server’s default label set.' })
  labels!: LabelScore[];
  @Field({ description: 'Whether the best label was confident enough to be stated (MNEME_LABEL_MIN_SCORE).' })
  usable!: boolean;
}

export enum VisualAnswerMethod {
  CANDIDATE_SCORING = 'CANDIDATE_SCORING',
  VISION_LLM = 'VISION_LLM',
}
registerEnumType(VisualAnswerMethod, {
  name: 'VisualAnswerMethod',
  description:
    'How a question about an image was answered: candidate answers scored against the image by the CLIP-class ' +
    'encoder, or the image sent to a vision-capable LLM.',
});

export enum AlignmentSpace {
  SHARED = 'SHARED',
  NATIVE = 'NATIVE',
}
registerEnumType(AlignmentSpace, {
  name: 'AlignmentSpace',
  description:
    'Where an alignment was measured: SHARED, the fitted shared space of every modality; NATIVE, the prompt ' +
    'against each medium in its own model’s joint space (CLIP for images, CLAP for audio), as on an install ' +
    'with no fitted projections.',
});

export enum QuestionKindGql {
  YES_NO = 'yes-no',
  COUNT = 'count',
  OPEN = 'open',
}
registerEnumType(QuestionKindGql, { name: 'QuestionKind' });

@ObjectType({ description: 'A closed question about the first image, answered without a vision LLM.' })
class VisualAnswer {
  @Field(() => VisualAnswerMethod) method!: VisualAnswerMethod;
  @Field(() => QuestionKindGql) kind!: QuestionKindGql;
  @Field() answer!: string;
  @Field(() => Float) confidence!: number;
  @Field(() => [LabelScore], { description: 'The best candidate answers with their scores.' })
  candidates!: LabelScore[];
}

@ObjectType({ description: 'What the ask’s media were perceived as, and put into the prompt.' })
export class Perception {
  @Field(() => [ImagePerception]) images!: ImagePerception[];
  @Field(() => [LabelScore], { description: 'The top labels over all images, best first.' })
  imageLabels!: LabelScore[];
  @Field(() => String, { nullable: true, description: 'Transcript of the attached audio.' })
  transcript!: string | null;
  @Field(() => [LabelScore], {
    description: 'Sound events heard in the audio (MNEME_AUDIO_LABELS), best first.',
  })
  audioLabels!: LabelScore[];
  @Field(() => VisualAnswerMethod, {
    nullable: true,
    description: 'How questions about the images were answered; null without images.',
  })
  imageAnswering!: VisualAnswerMethod | null;
  @Field(() => VisualAnswer, { nullable: true }) visualAnswer!: VisualAnswer | null;
  @Field({
    description: 'True when the ask was about images in which nothing was recognized with confidence.',
  })
  imagesUnrecognized!: boolean;
  @Field(() => [String], { description: 'The modalities that reached the shared space and were fused.' })
  fused!: string[];
  @Field(() => Float, {
    nullable: true,
    description:
      'How well the modalities agree (0..1), in the space alignmentSpace names; null with nothing to compare ' +
      '(one modality, or media without a typed prompt and no fitted projections).',
  })
  alignment!: number | null;
  @Field(() => AlignmentSpace, { nullable: true }) alignmentSpace!: AlignmentSpace | null;
}
