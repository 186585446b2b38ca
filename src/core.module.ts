import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ModelCatalog } from './common/model-catalog.js';
import { AppConfig } from './config/app-config.js';
import { ApiKeyAuth } from './http/api-key-auth.js';
import { ServerLifecycle } from './http/server-lifecycle.js';

export interface CoreDeps {
  config: AppConfig;
  auth: ApiKeyAuth;
  lifecycle: ServerLifecycle;
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
      { provide: ModelCatalog, useValue: new ModelCatalog() },
    ];
    return { module: CoreModule, providers, exports: providers.map((p) => p.provide) };
  }
}
