import { Query, Resolver } from '@nestjs/graphql';
import { AppConfig } from '../../config/app-config.js';
import { gpusSeen } from '../../engines/llm/llama-cpp.adapter.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { SystemInfo } from './models/system.model.js';

@Resolver(() => SystemInfo)
export class SystemResolver {
  // The drivers do not change while the server runs: looked up once.
  private gpus: Promise<string[]> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly engine: LlmEngine,
  ) {}

  @Query(() => SystemInfo, { description: 'The hardware, its tier and the defaults chosen from it.' })
  async system(): Promise<SystemInfo> {
    const { hardware, threads, parallel, contextSize, memoryBudgetBytes } = this.config.llm;
    this.gpus ??= gpusSeen().catch(() => []);
    const used = this.engine
      .models()
      .filter((m) => m.state === 'ready')
      .reduce((sum, m) => sum + (m.memoryEstimateBytes ?? 0), 0);
    return {
      ...hardware,
      gpus: await this.gpus,
      threads,
      parallel,
      contextSize,
      memoryBudgetBytes,
      memoryBudgetUsedBytes: used,
    };
  }
}
