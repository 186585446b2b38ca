import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { AppConfig } from '../../config/app-config.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { RateLimits } from '../../engines/rate-limit/rate-limits.js';
import { FusionService } from '../fusion/fusion.service.js';
import { MemoryService } from '../memory/memory.service.js';
import { SloService } from '../performance/slo.service.js';
import { RoutingService } from '../routing/routing.service.js';
import type { AgentEvent } from './agent.types.js';
import { AskPipeline } from './ask/ask-pipeline.js';
import type { AskInput } from './dto/ask.input.js';

export type { AgentAnswer, AgentEvent, AnswerMemory, Consistency } from './agent.types.js';

/** The agent: answers asks through the ask pipeline (ask/ask-pipeline.ts), with what each of its steps uses. */
@Injectable()
export class AgentService {
  private readonly pipeline: AskPipeline;

  constructor(
    engine: LlmEngine,
    memory: MemoryService,
    routing: RoutingService,
    fusion: FusionService,
    config: AppConfig,
    slo: SloService,
    rateLimits: RateLimits,
  ) {
    this.pipeline = new AskPipeline({ engine, memory, routing, fusion, config, slo, rateLimits });
  }

  /**
   * Streams the answer to one ask: route, admit (or OVERLOADED), perceive, recall, generate, remember, then one
   * `answer` event.
   */
  ask(input: AskInput, caller: CallContext): AsyncIterable<AgentEvent> {
    return this.pipeline.run(input, caller);
  }
}
