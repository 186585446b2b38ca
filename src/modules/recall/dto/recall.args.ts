import { ArgsType, Field, Int } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import {
  ArrayNotEmpty,
  IsEnum,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MediaInput } from '../../media/media-input.js';
import { SESSION_ID, SESSION_ID_MESSAGE } from '../../../common/ids.js';
import { MemoryTierGql } from '../../memory/models/memory.model.js';

@ArgsType()
export class RecallArgs {
  @Field(() => String, {
    defaultValue: '',
    description: 'What to look for, in words; may be empty when an image or audio is given.',
  })
  @IsString()
  @MaxLength(10_000)
  query!: string;

  @Field(() => MediaInput, {
    nullable: true,
    description:
      'Look for episodes by an image too: it is projected into the shared space (cross-modal recall).',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MediaInput)
  image?: MediaInput;

  @Field(() => MediaInput, {
    nullable: true,
    description: 'Look for episodes by a sound too: its embedding and transcript join the query.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => MediaInput)
  audio?: MediaInput;

  @Field(() => [MemoryTierGql], { defaultValue: [MemoryTierGql.WORKING, MemoryTierGql.EPISODIC] })
  @ArrayNotEmpty()
  @IsEnum(MemoryTierGql, { each: true })
  tiers!: MemoryTierGql[];

  @Field(() => Int, { defaultValue: 10, description: 'Per tier, 1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100, { message: 'first must be at most 100' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'Limit to one session (the working tier needs it).' })
  @IsOptional()
  @Matches(SESSION_ID, { message: SESSION_ID_MESSAGE })
  sessionId?: string;
}
