import { Query, Resolver } from '@nestjs/graphql';
import { PATHS } from '../../config/routing.config.js';
import { AppConfig } from '../../config/app-config.js';
import { enumValue } from '../../graphql/enum-value.js';
import { PathGql, PathStatus } from './models/route.model.js';
import { RoutingService } from './routing.service.js';

@Resolver()
export class RoutingResolver {
  constructor(
    private readonly routing: RoutingService,
    private readonly config: AppConfig,
  ) {}

  @Query(() => [PathStatus], {
    description: 'Each compute path’s limits and load: running, waiting, refused.',
  })
  // Any authenticated caller (CallerGuard): counts only, no tenant data.
  paths(): PathStatus[] {
    const stats = this.routing.stats();
    return PATHS.map((p) => {
      const profile = this.config.routing.paths[p];
      return {
        path: enumValue<PathGql>(p),
        concurrency: profile.concurrency,
        queueLimit: profile.queue,
        targetMs: profile.targetMs,
        ...stats[p],
      };
    });
  }
}
