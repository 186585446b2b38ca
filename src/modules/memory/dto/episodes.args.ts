import { ArgsType, Field, GraphQLISODateTime, Int, registerEnumType } from '@nestjs/graphql';
import {
  IsDate,
  IsEnum,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { SESSION_ID, SESSION_ID_MESSAGE } from '../../../common/ids.js';

export enum EpisodeOrder {
  OLDEST_FIRST = 'OLDEST_FIRST',
  NEWEST_FIRST = 'NEWEST_FIRST',
}
registerEnumType(EpisodeOrder, { name: 'EpisodeOrder' });

const MODALITIES = ['text', 'image', 'audio', 'multimodal'];

@ArgsType()
class PageArgs {
  @Field(() => Int, { defaultValue: 20, description: '1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100, { message: 'first must be at most 100' })
  first!: number;

  @Field(() => String, { nullable: true, description: 'endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string;
}

@ArgsType()
export class EpisodesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'One session; all of your sessions when not given.' })
  @IsOptional()
  @Matches(SESSION_ID, { message: SESSION_ID_MESSAGE })
  sessionId?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Episodes from this time on (inclusive).' })
  @IsOptional()
  @IsDate()
  from?: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Episodes before this time.' })
  @IsOptional()
  @IsDate()
  to?: Date;

  @Field(() => String, { nullable: true, description: 'text, image, audio or multimodal.' })
  @IsOptional()
  @IsIn(MODALITIES, { message: `modality must be one of ${MODALITIES.join(', ')}` })
  modality?: string;

  @Field(() => EpisodeOrder, {
    nullable: true,
    description: 'OLDEST_FIRST within a session, NEWEST_FIRST across sessions, unless given.',
  })
  @IsOptional()
  @IsEnum(EpisodeOrder)
  order?: EpisodeOrder;
}

@ArgsType()
export class SessionsArgs extends PageArgs {}
