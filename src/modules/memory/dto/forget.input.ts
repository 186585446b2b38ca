import { Field, ID, InputType } from '@nestjs/graphql';
import { Equals, IsOptional, Matches } from 'class-validator';
import { ID_PATTERN, idMessage } from '../../../common/ids.js';
import { SESSION_ID, SESSION_ID_MESSAGE } from '../../../common/ids.js';

@InputType({ description: 'What to forget: exactly one of episodeId, sessionId, factId or everything.' })
export class ForgetInput {
  @Field(() => ID, { nullable: true, description: 'One episode (and its working-memory turn).' })
  @IsOptional()
  @Matches(ID_PATTERN, { message: idMessage('episodeId') })
  episodeId?: string;

  @Field(() => String, { nullable: true, description: 'A whole session, in every tier.' })
  @IsOptional()
  @Matches(SESSION_ID, { message: SESSION_ID_MESSAGE })
  sessionId?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'One fact with every version of it (its history), and entities nothing else holds.',
  })
  @IsOptional()
  @Matches(ID_PATTERN, { message: idMessage('factId') })
  factId?: string;

  @Field(() => Boolean, { nullable: true, description: 'Everything remembered for the caller.' })
  @IsOptional()
  @Equals(true, { message: 'everything must be true when given' })
  everything?: boolean;
}
