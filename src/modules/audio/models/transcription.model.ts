import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'What was said in an audio clip.' })
export class Transcription {
  @Field(() => String) text!: string;
  @Field(() => String, { nullable: true, description: 'The spoken language, when known.' }) language!:
    string | null;
  @Field(() => Float, { description: 'Length of the audio in seconds.' }) durationSeconds!: number;
  @Field(() => String) model!: string;
}
