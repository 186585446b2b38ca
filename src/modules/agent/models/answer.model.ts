import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum FinishReasonGql {
  STOP = 'stop',
  LENGTH = 'length',
}
registerEnumType(FinishReasonGql, { name: 'FinishReason', description: 'Why generation ended.' });

@ObjectType({ description: 'Tokens counted with the model’s own tokenizer and chat template.' })
export class Usage {
  @Field(() => Int) promptTokens!: number;
  @Field(() => Int) completionTokens!: number;
  @Field(() => Int) totalTokens!: number;
}

@ObjectType({ description: 'Where the time went, in milliseconds.' })
export class Timings {
  @Field(() => Float, { description: 'Waiting for a free generation slot.' }) queueMs!: number;
  @Field(() => Float, { description: 'Request start to first token.' }) ttftMs!: number;
  @Field(() => Float) totalMs!: number;
  @Field(() => Float, { description: 'Decode rate after the first token.' }) tokensPerSecond!: number;
}

@ObjectType({ description: 'The agent’s answer to one ask.' })
export class Answer {
  @Field(() => String) text!: string;
  @Field(() => String) model!: string;
  @Field(() => FinishReasonGql) finishReason!: FinishReasonGql;
  @Field(() => Usage) usage!: Usage;
  @Field(() => Timings) timings!: Timings;
  @Field(() => String, { nullable: true }) sessionId!: string | null;
  @Field(() => String, { description: 'OpenTelemetry trace id of this request.' }) traceId!: string;
}
