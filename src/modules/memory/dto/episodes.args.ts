import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { SESSION_ID, SESSION_ID_MESSAGE } from '../../../common/ids.js';

@ArgsType()
export class EpisodesArgs {
  @Field(() => String)
  @Matches(SESSION_ID, { message: SESSION_ID_MESSAGE })
  sessionId!: string;

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
