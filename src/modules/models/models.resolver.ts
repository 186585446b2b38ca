import { Query, Resolver } from '@nestjs/graphql';
import { ModelCatalog } from '../../common/model-catalog.js';
import { enumValue } from '../../graphql/enum-value.js';
import { Model, type ModelKindGql, type ModelStateGql } from './models/model.model.js';

@Resolver(() => Model)
export class ModelsResolver {
  constructor(private readonly catalog: ModelCatalog) {}

  @Query(() => [Model], { description: 'Every model this server serves, with its state.' })
  models(): Model[] {
    return this.catalog.list().map((m) => ({
      name: m.name,
      kind: enumValue<ModelKindGql>(m.kind),
      state: enumValue<ModelStateGql>(m.state),
      contextSize: m.contextSize ?? null,
      parallel: m.parallel ?? null,
      testModel: m.testModel,
      error: m.error ?? null,
    }));
  }
}
