import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum AuditActionGql {
  FORGET_EPISODE = 'forget-episode',
  FORGET_SESSION = 'forget-session',
  FORGET_EVERYTHING = 'forget-everything',
  FORGET_FACT = 'forget-fact',
  RETRACT_FACT = 'retract-fact',
  CORRECT_FACT = 'correct-fact',
  UPDATE_EPISODE = 'update-episode',
  IMPORT_MEMORY = 'import-memory',
}
registerEnumType(AuditActionGql, { name: 'AuditAction' });

@ObjectType('AuditEntry', {
  description:
    'One forget or correction: what was acted on (ids only, never the forgotten content), when, by which key.',
})
export class AuditEntryGql {
  @Field(() => ID) id!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => AuditActionGql) action!: AuditActionGql;
  @Field(() => String, { description: 'The episode, session or fact id acted on; "*" for everything.' })
  target!: string;
  @Field(() => ID, { nullable: true, description: 'What replaced it: a correction’s new fact.' })
  result!: string | null;
  @Field(() => String, {
    description:
      '"key:" and the first 12 hex digits of the API key’s SHA-256 (never the key); "local" without keys.',
  })
  actor!: string;
  @Field(() => Int) episodes!: number;
  @Field(() => Int) facts!: number;
  @Field(() => Int) entities!: number;
}
