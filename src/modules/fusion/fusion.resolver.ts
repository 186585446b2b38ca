import { Query, Resolver } from '@nestjs/graphql';
import { ProjectionStatus } from './models/projection-status.model.js';
import { ProjectionStore } from './projection-store.service.js';

@Resolver()
export class FusionResolver {
  constructor(private readonly store: ProjectionStore) {}

  @Query(() => [ProjectionStatus], {
    description: 'The shared-space projections the server loaded, with fit quality.',
  })
  // Any authenticated caller (CallerGuard): no tenant data.
  projections(): ProjectionStatus[] {
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
