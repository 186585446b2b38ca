import { Field, Float, GraphQLISODateTime, InputType, registerEnumType } from '@nestjs/graphql';
import {
  IsDate,
  IsEnum,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { SESSION_ID, SESSION_ID_MESSAGE } from '../../../common/ids.js';

export enum RememberRole {
  USER = 'user',
  ASSISTANT = 'assistant',
}
registerEnumType(RememberRole, {
  name: 'RememberRole',
  description: 'Who said it: USER (facts are extracted from these) or ASSISTANT.',
});

// The same bound as an ask's prompt: one memory is at most what one turn could be.
export const MAX_MEMORY_CHARS = 100_000;

@InputType({ description: 'A memory to store as it is, without the LLM.' })
export class RememberInput {
  @Field(() => String)
  @IsString()
  @MinLength(1, { message: 'text must not be empty' })
  @MaxLength(MAX_MEMORY_CHARS, {
    message: `text must be at most ${MAX_MEMORY_CHARS.toLocaleString('en')} characters`,
  })
  text!: string;

  @Field(() => String, {
    nullable: true,
    description:
      'The conversation it belongs to: it joins that session’s recent turns too. Without one, it is kept in ' +
      'a new session (the answer says which).',
  })
  @IsOptional()
  @Matches(SESSION_ID, { message: SESSION_ID_MESSAGE })
  sessionId?: string;

  @Field(() => RememberRole, { nullable: true, defaultValue: RememberRole.USER })
  @IsOptional()
  @IsEnum(RememberRole)
  role?: RememberRole;

  @Field(() => Float, { nullable: true, description: '0..1; estimated from the text when absent.' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  importance?: number;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When it was said (imports of older memories); now when absent. Never in the future.',
  })
  @IsOptional()
  @IsDate()
  createdAt?: Date;
}

@InputType({ description: 'What to change in an episode; at least one of text or importance.' })
export class UpdateEpisodeInput {
  @Field(() => String, {
    nullable: true,
    description: 'New words: re-embedded, and the facts only the old words taught are dropped.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1, { message: 'text must not be empty' })
  @MaxLength(MAX_MEMORY_CHARS, {
    message: `text must be at most ${MAX_MEMORY_CHARS.toLocaleString('en')} characters`,
  })
  text?: string;

  @Field(() => Float, { nullable: true, description: '0..1.' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  importance?: number;
}
