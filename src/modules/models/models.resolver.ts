import { Query, Resolver } from '@nestjs/graphql';
import { LlmEngine, type ModelState } from '../../engines/llm/llm-engine.js';
import { LlmModel, ModelStateGql } from './models/llm-model.model.js';

const STATES: Record<ModelState, ModelStateGql> = {
  loading: ModelStateGql.LOADING,
  ready: ModelStateGql.READY,
  failed: ModelStateGql.FAILED,
  unloaded: ModelStateGql.UNLOADED,
};

@Resolver(() => LlmModel)
export class ModelsResolver {
  constructor(private readonly engine: LlmEngine) {}

  @Query(() => [LlmModel], { description: 'The models this server serves, with their state.' })
  models(): LlmModel[] {
    return this.engine.models().map((m) => ({
      name: m.name,
      state: STATES[m.state],
      contextSize: m.contextSize,
      parallel: m.parallel,
      testModel: m.testModel,
      error: m.error ?? null,
    }));
  }
}
