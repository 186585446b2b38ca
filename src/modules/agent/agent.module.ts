import { Module } from '@nestjs/common';
import { AgentResolver } from './agent.resolver.js';
import { AgentService } from './agent.service.js';
import { ChatCompletionsController } from './openai/chat-completions.controller.js';

@Module({
  providers: [AgentService, AgentResolver],
  controllers: [ChatCompletionsController],
})
export class AgentModule {}
