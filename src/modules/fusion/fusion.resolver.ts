import { Context, Query, Resolver } from '@nestjs/graphql';
import { tenantOf, type GqlContext } from '../../graphql/graphql-context.js';
import { ProjectionStatus } from './models/projection-status.model.js';
import { ProjectionStore } from './projection-store.service.js';

@Resolver()
export class FusionResolver {
  constructor(private readonly store: ProjectionStore) {}

  @Query(() => [ProjectionStatus], {
    description: 'The shared-space projections the server loaded, with fit quality.',
  })
  projections(@Context() gql: GqlContext): ProjectionStatus[] {
    tenantOf(gql); // any authenticated caller; no tenant data
    return this.store.status().map(({ modality, fit, problem }) => ({
      modality,
      available: fit !== undefined,
      source: fit?.source ?? null,
      target: fit?.target ?? null,
      heldOutCosine: fit?.quality.heldOutCosine ?? null,
      shuffledCosine: fit?.quality.shuffledCosine ?? null,
      pairs: fit?.quality.pairs ?? null,
      problem: problem ?? null,
    }));
  }
}
