import { ArgsType, Field, GraphQLISODateTime, ID, InputType, Int } from '@nestjs/graphql';
import { ID_PATTERN, idMessage } from '../../../common/ids.js';
import { IsDate, IsInt, IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

const NOT_BLANK = /\S/;

@InputType('FactInput', { description: 'A fact to learn directly (provenance: stated by the user).' })
export class FactInputGql {
  @Field(() => String)
  @IsString()
  @Matches(NOT_BLANK, { message: 'subject must not be empty' })
  @MaxLength(200)
  subject!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  subjectType?: string;

  @Field(() => String)
  @IsString()
  @Matches(NOT_BLANK, { message: 'predicate must not be empty' })
  @MaxLength(100)
  predicate!: string;

  @Field(() => String)
  @IsString()
  @Matches(NOT_BLANK, { message: 'object must not be empty' })
  @MaxLength(500)
  object!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  objectType?: string;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When it became true; now when not given.',
  })
  @IsOptional()
  @IsDate()
  validFrom?: Date;

  @Field(() => Number, { nullable: true, description: '0..1; 1 when not given.' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence?: number;
}

@ArgsType()
export class FactsArgs {
  @Field(() => String, { description: 'The entity, by name or alias.' })
  @IsString()
  @Matches(NOT_BLANK, { message: 'about must not be empty' })
  @MaxLength(200)
  about!: string;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'True in the world at this time (default now).',
  })
  @IsOptional()
  @IsDate()
  at?: Date;

  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'As Mneme knew it at this time (default now).',
  })
  @IsOptional()
  @IsDate()
  knownAt?: Date;

  @Field(() => Int, { defaultValue: 20, description: '1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100, { message: 'first must be at most 100' })
  first!: number;
}

@ArgsType()
export class NeighborhoodArgs {
  @Field(() => ID)
  @Matches(ID_PATTERN, { message: idMessage('entityId') })
  entityId!: string;

  @Field(() => Int, { defaultValue: 1, description: '1 to 3.' })
  @IsInt()
  @Min(1)
  @Max(3, { message: 'hops must be at most 3' })
  hops!: number;

  @Field(() => Int, { defaultValue: 20, description: '1 to 100.' })
  @IsInt()
  @Min(1)
  @Max(100, { message: 'first must be at most 100' })
  first!: number;
}
