import { Field, Float, GraphQLISODateTime, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

@ObjectType('Stage', { description: 'One stage’s latency over the SLO window, against its target.' })
export class StageGql {
  @Field(() => String, {
    description:
      'encode.image, memory.semantic, ask.fast, ttft.fast, llm.generate, … (see docs/api.md#performance).',
  })
  name!: string;
  @Field(() => String, { description: 'ms, or ms/s (per second of audio) for audio stages.' }) unit!: string;
  @Field(() => Float) p50!: number;
  @Field(() => Float) p95!: number;
  @Field(() => Float) p99!: number;
  @Field(() => Float, { nullable: true, description: 'P95 target; null when the stage has none.' })
  target!: number | null;
  @Field(() => Boolean, { description: 'p95 over the target, with enough samples to say so.' })
  breached!: boolean;
  @Field(() => Int) count!: number;
  @Field(() => Float, { description: 'Failed share of the window’s calls, 0..1.' }) errorRate!: number;
  @Field(() => Int, {
    description:
      'Calls the client abandoned (closed the connection, unsubscribed): not errors, not latencies.',
  })
  cancelled!: number;
}

export enum AlertKindGql {
  LATENCY = 'latency',
  ERRORS = 'errors',
  QUEUE = 'queue',
}
registerEnumType(AlertKindGql, { name: 'AlertKind' });

@ObjectType('Alert', { description: 'An SLO condition that started (firing) or cleared.' })
export class AlertGql {
  @Field(() => AlertKindGql) kind!: AlertKindGql;
  @Field(() => String, { description: 'The stage, or "llm" for the engine queue.' }) subject!: string;
  @Field(() => Boolean) firing!: boolean;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => String) message!: string;
  @Field(() => Float, { description: 'p95 (ms), error rate (0..1) or queued generations.' }) value!: number;
  @Field(() => Float) threshold!: number;
}

@ObjectType('Performance', { description: 'Whether each stage meets its target, now.' })
export class PerformanceGql {
  @Field(() => Int, { description: 'The sliding window the figures cover.' }) windowSeconds!: number;
  @Field(() => Int, { description: 'Samples a window needs before a stage can breach.' }) minSamples!: number;
  @Field(() => [StageGql], { description: 'Stages that ran within the window, by name.' })
  stages!: StageGql[];
  @Field(() => [AlertGql], { description: 'Alerts firing now.' }) alerts!: AlertGql[];
}
