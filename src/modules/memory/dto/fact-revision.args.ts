import { ArgsType, Field, GraphQLISODateTime, ID, InputType, Int } from '@nestjs/graphql';
import { IsDate, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { ID_PATTERN, idMessage } from '../../../common/ids.js';

const NOT_BLANK = /\S/;
const REASON_CHARS = 500;

@ArgsType()
export class FactIdArgs {
  @Field(() => ID)
  @Matches(ID_PATTERN, { message: idMessage('id') })
  id!: string;
}

@ArgsType()
export class RetractFactArgs extends FactIdArgs {
  @Field(() => String, { nullable: true, description: 'Why it is wrong; kept in its history.' })
  @IsOptional()
  @IsString()
  @MaxLength(REASON_CHARS)
  reason?: string;
}

@InputType({ description: 'What a correction changes; what is not given stays as it was.' })
export class FactCorrectionInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'subject must not be empty' })
  @MaxLength(200)
  subject?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'predicate must not be empty' })
  @MaxLength(100)
  predicate?: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @Matches(NOT_BLANK, { message: 'object must not be empty' })
  @MaxLength(500)
  object?: string;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the corrected fact became true.' })
  @IsOptional()
  @IsDate()
  validFrom?: Date;

  @Field(() => String, { nullable: true, description: 'Why the old one was wrong; kept in its history.' })
  @IsOptional()
  @IsString()
  @MaxLength(REASON_CHARS)
  reason?: string;
}

@ArgsType()
export class AuditArgs {
  @Field(() => Int, { defaultValue: 50 })
  @IsInt()
  @Min(1)
  @Max(200)
  first!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Entries before this time (paging back).' })
  @IsOptional()
  @IsDate()
  before?: Date;
}
