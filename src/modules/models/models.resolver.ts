import { Query, Resolver } from '@nestjs/graphql';
import { ModelCatalog, type CatalogState, type ModelKind } from '../../common/model-catalog.js';
import { Model, ModelKindGql, ModelStateGql } from './models/model.model.js';

const STATES: Record<CatalogState, ModelStateGql> = {
  loading: ModelStateGql.LOADING,
  ready: ModelStateGql.READY,
  failed: ModelStateGql.FAILED,
  unloaded: ModelStateGql.UNLOADED,
};

const KINDS: Record<ModelKind, ModelKindGql> = {
  llm: ModelKindGql.LLM,
  vision: ModelKindGql.VISION,
  'speech-to-text': ModelKindGql.SPEECH_TO_TEXT,
  'audio-embedding': ModelKindGql.AUDIO_EMBEDDING,
  'text-embedding': ModelKindGql.TEXT_EMBEDDING,
};

@Resolver(() => Model)
export class ModelsResolver {
  constructor(private readonly catalog: ModelCatalog) {}

  @Query(() => [Model], { description: 'Every model this server serves, with its state.' })
  models(): Model[] {
    return this.catalog.list().map((m) => ({
      name: m.name,
      kind: KINDS[m.kind],
      state: STATES[m.state],
      contextSize: m.contextSize ?? null,
      parallel: m.parallel ?? null,
      testModel: m.testModel,
      error: m.error ?? null,
    }));
  }
}
