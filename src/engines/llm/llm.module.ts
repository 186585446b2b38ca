import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { LlamaCppEngine } from './llama-cpp.engine.js';
import { LlmEngine } from './llm-engine.js';

/**
 * Provides the LlmEngine port. One backend today (node-llama-cpp); the OpenAI-compatible one plugs in here.
 * `engine` lets a caller supply its own instance (the e2e tests wrap the real engine to watch calls).
 */
@Global()
@Module({})
export class LlmModule {
  static forRoot(engine?: LlmEngine): DynamicModule {
    const provider = {
      provide: LlmEngine,
      inject: [AppConfig, ModelCatalog],
      useFactory: (config: AppConfig, catalog: ModelCatalog) => {
        const served = engine ?? new LlamaCppEngine(config.llm);
        catalog.register(() => served.models().map((m) => ({ ...m, kind: 'llm' as const })));
        return served;
      },
    };
    return { module: LlmModule, providers: [provider], exports: [LlmEngine] };
  }
}
