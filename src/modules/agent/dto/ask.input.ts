import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { PathGql } from '../../routing/models/route.model.js';
import { MediaInput } from '../../media/media-input.js';
import { SESSION_ID, SESSION_ID_MESSAGE } from '../../../common/ids.js';
import {
  ArrayMaxSize,
  IsBoolean,
  IsEnum,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Type } from 'class-transformer';

@InputType({ description: 'One question to the agent.' })
export class AskInput {
  @Field(() => String, { description: 'The user prompt.' })
  @IsString()
  @Matches(/\S/, { message: 'prompt must not be empty' })
  @MaxLength(1_000_000, { message: 'prompt must be at most 1,000,000 characters' })
  prompt!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Conversation id; turns with the same id share memory.',
  })
  @IsOptional()
  @Matches(SESSION_ID, { message: SESSION_ID_MESSAGE })
  sessionId?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Upper bound on generated tokens (server default otherwise).',
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'maxTokens must be at least 1' })
  @Max(131_072)
  maxTokens?: number;

  @Field(() => String, { nullable: true, description: 'A served model name, or "default".' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  model?: string;

  @Field(() => Float, { nullable: true, description: 'Sampling temperature, 0 for greedy.' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(2)
  temperature?: number;

  @Field(() => Boolean, {
    nullable: true,
    description: 'Return the assembled prompt (system prompt, memories, turns) in Answer.context.',
  })
  @IsOptional()
  @IsBoolean()
  debug?: boolean;

  @Field(() => PathGql, {
    nullable: true,
    description:
      'Ask for a compute path; it tips the router’s choice (forces it only for tenants allowed to).',
  })
  @IsOptional()
  @IsEnum(PathGql)
  hint?: PathGql;

  @Field(() => Int, {
    nullable: true,
    description:
      'Score the answer: each token’s log probability with this many likeliest alternatives (0 to 20), in ' +
      'Answer.tokens. Models that cannot score tokens answer without them.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(20)
  logprobs?: number;

  @Field(() => Int, {
    nullable: true,
    description: 'On the deep path: sample this many answers and return the majority (1 to 8).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(8)
  samples?: number;

  @Field(() => [MediaInput], {
    nullable: true,
    description: 'Images the question is about (labels go into the prompt).',
  })
  @IsOptional()
  @ArrayMaxSize(8, { message: 'at most 8 images per ask' })
  @ValidateNested({ each: true })
  @Type(() => MediaInput)
  images?: MediaInput[];

  @Field(() => MediaInput, {
    nullable: true,
    description: 'Audio the question is about (its transcript goes into the prompt).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MediaInput)
  audio?: MediaInput;
}
