import { Global, Module, type OnModuleInit } from '@nestjs/common';
import { ModelCatalog } from '../../common/model-catalog.js';
import { AppConfig } from '../../config/app-config.js';
import { ModelFleet } from './fleet/model-fleet.js';
import { LlamaCppEngine } from './llama-cpp.engine.js';
import { LlmEngine } from './llm-engine.js';
import { servedModels } from './model-locator.js';
import { OpenAiRemoteEngine } from './openai-remote.engine.js';

/**
 * Provides the LlmEngine port: the fleet of served models, each a node-llama-cpp engine in process or the
 * OpenAI-compatible remote (MNEME_LLM_REMOTE_URL), loaded on demand under the memory budget. The catalog learns
 * the engine's models here rather than in the factory, so an engine put in its place (Nest's overrideProvider,
 * in tests) is listed too.
 */
@Global()
@Module({
  providers: [
    {
      provide: LlmEngine,
      inject: [AppConfig],
      useFactory: ({ llm }: AppConfig): LlmEngine =>
        new ModelFleet(llm, servedModels(llm), (spec) =>
          spec.engine === 'remote' ? new OpenAiRemoteEngine(llm) : new LlamaCppEngine(llm, spec),
        ),
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
