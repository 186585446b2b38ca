import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { MemoryTierGql } from '../../memory/models/memory.model.js';
import { RouteInfo } from '../../routing/models/route.model.js';
import { Perception } from '../../fusion/models/perception.model.js';

export enum FinishReasonGql {
  STOP = 'stop',
  LENGTH = 'length',
}
registerEnumType(FinishReasonGql, { name: 'FinishReason', description: 'Why generation ended.' });

@ObjectType({ description: 'Tokens counted with the model’s own tokenizer and chat template.' })
export class Usage {
  @Field(() => Int) promptTokens!: number;
  @Field(() => Int, {
    description: 'Of the prompt tokens, those whose evaluation the prompt cache reused (not computed again).',
  })
  cachedPromptTokens!: number;
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

@ObjectType({ description: 'A memory an answer was given with.' })
export class MemoryRef {
  @Field(() => ID) id!: string;
  @Field(() => MemoryTierGql) tier!: MemoryTierGql;
}

@ObjectType({ description: 'What memory did for this answer.' })
class AnswerMemory {
  @Field(() => [MemoryRef], {
    description: 'Memories put into the prompt: the session’s turns, recalled episodes.',
  })
  used!: MemoryRef[];
  @Field(() => [ID], { description: 'Ids of the question and answer as remembered now.' })
  remembered!: string[];
  @Field(() => [MemoryTierGql], {
    description:
      'Tiers that answered in part or not at all: their store was down, or (episodic) recall by meaning ' +
      'covered only re-embedded episodes after a text-embedding model change.',
  })
  degraded!: MemoryTierGql[];
  @Field(() => [MemoryTierGql], {
    description: 'Tiers the fast path skipped because their latency was over target (see performance).',
  })
  skipped!: MemoryTierGql[];
  @Field(() => [String], {
    description:
      'What went wrong with memory (a failed write, recall trimmed to fit); the answer itself stands.',
  })
  warnings!: string[];
}

@ObjectType({ description: 'One message of the prompt the model answered from.' })
export class PromptMessage {
  @Field(() => String) role!: string;
  @Field(() => String) content!: string;
}

@ObjectType({ description: 'Self-consistency: several answers were sampled and the majority returned.' })
class Consistency {
  @Field(() => Int) samples!: number;
  @Field(() => Float, { description: 'Share of samples agreeing with the returned answer (0..1).' })
  agreement!: number;
  @Field(() => Float, { description: 'How much the samples disagree: 0 all agree, 1 all differ.' })
  diversity!: number;
  @Field(() => Int, { description: 'Completion tokens over all samples.' }) totalCompletionTokens!: number;
  @Field(() => [String], {
    description: 'The model of each sample, in the order drawn (an ensemble spreads them).',
  })
  models!: string[];
}

@ObjectType({
  description: 'A token and its natural-log probability under the distribution it was sampled from.',
})
export class TokenChoice {
  @Field(() => String) token!: string;
  @Field(() => Float) logprob!: number;
  @Field(() => [Int], { description: 'The token text’s UTF-8 bytes.' }) bytes!: number[];
}

@ObjectType({ description: 'One generated token, scored, with the likeliest alternatives at its position.' })
export class TokenLogprob extends TokenChoice {
  @Field(() => [TokenChoice], { description: 'Most likely first.' }) top!: TokenChoice[];
}

@ObjectType({ description: 'The agent’s answer to one ask.' })
export class Answer {
  @Field(() => String) text!: string;
  @Field(() => String) model!: string;
  @Field(() => FinishReasonGql) finishReason!: FinishReasonGql;
  @Field(() => Usage) usage!: Usage;
  @Field(() => Timings) timings!: Timings;
  @Field(() => String, {
    description: 'The session this exchange belongs to (assigned when the ask had none).',
  })
  sessionId!: string;
  @Field(() => AnswerMemory) memory!: AnswerMemory;
  @Field(() => RouteInfo) route!: RouteInfo;
  @Field(() => Perception, { nullable: true, description: 'Set when the ask carried images or audio.' })
  perception!: Perception | null;
  @Field(() => Consistency, {
    nullable: true,
    description: 'Set when the deep path sampled several answers.',
  })
  consistency!: Consistency | null;
  @Field(() => [PromptMessage], {
    nullable: true,
    description: 'The assembled prompt (system, memories, turns, question); only when the ask set debug.',
  })
  context!: PromptMessage[] | null;
  @Field(() => [TokenLogprob], {
    nullable: true,
    description: 'The answer’s tokens with their log probabilities; only when the ask set logprobs.',
  })
  tokens!: TokenLogprob[] | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'How unsure the model was: the mean per-token min-entropy in nats (−ln of the likeliest token’s ' +
      'probability; 0 when sure); where the answer was scored.',
  })
  meanEntropy!: number | null;
  @Field(() => String, { description: 'OpenTelemetry trace id of this request.' }) traceId!: string;
}
