import { Global, Module, type DynamicModule } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { LlamaCppEngine } from './llama-cpp.engine.js';
import { LlmEngine } from './llm-engine.js';
import { OpenAiRemoteEngine } from './openai-remote.engine.js';

/**
 * Provides the LlmEngine port: an OpenAI-compatible remote when MNEME_LLM_REMOTE_URL is set, else node-llama-cpp
 * in process.
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
        const served =
          engine ?? (config.llm.remote ? new OpenAiRemoteEngine(config.llm) : new LlamaCppEngine(config.llm));
        catalog.register(() => served.models().map((m) => ({ ...m, kind: 'llm' as const })));
        return served;
      },
    };
    return { module: LlmModule, providers: [provider], exports: [LlmEngine] };
  }
}
