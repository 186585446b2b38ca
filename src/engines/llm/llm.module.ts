import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { LlamaCppEngine } from './llama-cpp.engine.js';
import { LlmEngine } from './llm-engine.js';
import { OpenAiRemoteEngine } from './openai-remote.engine.js';

/**
 * Provides the LlmEngine port: an OpenAI-compatible remote when MNEME_LLM_REMOTE_URL is set, else node-llama-cpp
 * in process. The catalog learns the engine's models here rather than in the factory, so an engine put in its
 * place (Nest's overrideProvider, in tests) is listed too.
 */
@Global()
@Module({
  providers: [
    {
      provide: LlmEngine,
      inject: [AppConfig],
      useFactory: (config: AppConfig): LlmEngine =>
        config.llm.remote ? new OpenAiRemoteEngine(config.llm) : new LlamaCppEngine(config.llm),
    },
  ],
  exports: [LlmEngine],
})
export class LlmModule implements OnModuleInit {
  constructor(
    private readonly engine: LlmEngine,
    private readonly catalog: ModelCatalog,
  ) {}

  onModuleInit(): void {
    this.catalog.register(() => this.engine.models().map((m) => ({ ...m, kind: 'llm' as const })));
  }
}
