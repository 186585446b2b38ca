import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ModelCatalog } from './common/model-catalog.js';
import { AppConfig } from './config/app-config.js';
import { OperationGuard } from './graphql/operation-guard.js';
import { ApiKeyAuth } from './http/api-key-auth.js';
import { RateLimits } from './engines/rate-limit/rate-limits.js';
import { ServerLifecycle } from './http/server-lifecycle.js';
import { Headroom } from './telemetry/headroom.js';
import { SocketGuard } from './http/socket-guard.js';

export interface CoreDeps {
  config: AppConfig;
  auth: ApiKeyAuth;
  lifecycle: ServerLifecycle;
  rateLimits: RateLimits;
  headroom: Headroom;
  sockets: SocketGuard;
}

/** The process-wide singletons made before Nest (the Fastify hooks need them first), shared with every room. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(deps: CoreDeps): DynamicModule {
    const providers = [
      { provide: AppConfig, useValue: deps.config },
      { provide: ApiKeyAuth, useValue: deps.auth },
      { provide: ServerLifecycle, useValue: deps.lifecycle },
      { provide: RateLimits, useValue: deps.rateLimits },
      { provide: Headroom, useValue: deps.headroom },
      { provide: SocketGuard, useValue: deps.sockets },
      {
        provide: OperationGuard,
        useValue: new OperationGuard({
          limits: deps.config.limits.graphql,
          maxDepth: deps.config.server.graphqlMaxDepth,
          perception: deps.config.perception,
          rateLimits: deps.rateLimits,
          sockets: deps.sockets,
        }),
      },
      { provide: ModelCatalog, useValue: new ModelCatalog() },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
