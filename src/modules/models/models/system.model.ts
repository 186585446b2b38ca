import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description: 'The machine as the server saw it at start, its tier, and the choices made from it.',
})
export class SystemInfo {
  @Field(() => String, { description: '`low`, `mid` or `high` (MNEME_HARDWARE_TIER overrides).' })
  tier!: string;
  @Field(() => Int) cores!: number;
  @Field(() => Float, {
    description: 'Bytes of RAM the process may use (a container’s limit, else the machine’s).',
  })
  memoryBytes!: number;
  @Field(() => Float, { description: 'Bytes free at start.' }) freeMemoryBytes!: number;
  @Field(() => [String], {
    description: 'GPU backends node-llama-cpp finds drivers for; Mneme runs llama.cpp on the CPU either way.',
  })
  gpus!: string[];
  @Field(() => Int, { description: 'llama.cpp threads per model.' }) threads!: number;
  @Field(() => Int, { description: 'Parallel sequences per model.' }) parallel!: number;
  @Field(() => Int, { description: 'Tokens per sequence asked of each model.' }) contextSize!: number;
  @Field(() => Float, { description: 'Bytes of RAM the loaded LLMs may hold together.' })
  memoryBudgetBytes!: number;
  @Field(() => Float, { description: 'Bytes of the budget the loaded LLMs hold now (their estimates).' })
  memoryBudgetUsedBytes!: number;
}
