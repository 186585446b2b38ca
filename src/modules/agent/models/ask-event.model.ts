import { Field, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Answer } from './answer.model.js';

export enum AskEventKind {
  TOKEN = 'TOKEN',
  RESTART = 'RESTART',
  ANSWER = 'ANSWER',
}
registerEnumType(AskEventKind, {
  name: 'AskEventKind',
  description:
    'TOKEN: generated text. RESTART: drop the text streamed so far, an escalated answer follows (token holds why). ' +
    'ANSWER: the final answer.',
});

@ObjectType({ description: 'A streamed piece of an answer: TOKEN events, then one ANSWER event.' })
export class AskEvent {
  @Field(() => AskEventKind) kind!: AskEventKind;
  @Field(() => Int, { description: 'Position of this event in the stream, from 0.' }) index!: number;
  @Field(() => String, { nullable: true, description: 'Generated text of a TOKEN event.' }) token!:
    string | null;
  @Field(() => Answer, { nullable: true, description: 'The full answer, on the final event.' })
  answer!: Answer | null;
}
