import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum PathGql {
  FAST = 'fast',
  MEDIUM = 'medium',
  DEEP = 'deep',
}
registerEnumType(PathGql, {
  name: 'Path',
  description: 'Compute path: FAST (short, cheap), MEDIUM, DEEP (reasoning, long answers).',
});

@ObjectType({ description: 'How well each path suits the request (0..1.5; the hint adds to its path).' })
export class PathScores {
  @Field(() => Float) fast!: number;
  @Field(() => Float) medium!: number;
  @Field(() => Float) deep!: number;
}

@ObjectType({ description: 'The compute path an ask took, and why.' })
export class RouteInfo {
  @Field(() => PathGql) path!: PathGql;
  @Field(() => String) reason!: string;
  @Field(() => PathScores) scores!: PathScores;
  @Field(() => Boolean, { description: 'A deep request answered on the medium path because deep was full.' })
  steppedDown!: boolean;
  @Field(() => Boolean, { description: 'Re-run on the medium path because the fast answer looked unsure.' })
  escalated!: boolean;
}

@ObjectType({ description: 'One compute path’s admission state right now.' })
export class PathStatus {
  @Field(() => PathGql) path!: PathGql;
  @Field(() => Int) concurrency!: number;
  @Field(() => Int, { description: 'Most requests allowed to wait.' }) queueLimit!: number;
  @Field(() => Int, { description: 'P95 target; longer expected waits are refused.' }) targetMs!: number;
  @Field(() => Int) active!: number;
  @Field(() => Int) queued!: number;
  @Field(() => Int, { description: 'Deepest the queue has been since start.' }) peakQueued!: number;
  @Field(() => Int) admitted!: number;
  @Field(() => Int, { description: 'Refused with OVERLOADED since start.' }) refused!: number;
}
