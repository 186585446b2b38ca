import { Module } from '@nestjs/common';
import { FusionModule } from '../fusion/fusion.module.js';
import { MemoryModule } from '../memory/memory.module.js';
import { PerformanceModule } from '../performance/performance.module.js';
import { RoutingModule } from '../routing/routing.module.js';
import { AgentResolver } from './agent.resolver.js';
import { AgentService } from './agent.service.js';
import { ChatCompletionsController } from './openai/chat-completions.controller.js';
import { ChatService } from './openai/chat.service.js';

@Module({
  imports: [MemoryModule, RoutingModule, FusionModule, PerformanceModule],
  providers: [AgentService, ChatService, AgentResolver],
  controllers: [ChatCompletionsController],
})
export class AgentModule {}
