import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { AppConfig } from '../../config/app-config.js';
import {
  LlmEngine,
  type ChatMessage,
  type GenerateRequest,
  type GenerationEvent,
} from '../../engines/llm/llm-engine.js';
import type { AskInput } from './dto/ask.input.js';

/**
 * The ask pipeline. Today: prompt → LLM. Perception, routing and memory slot in here, in the order of
 * docs/architecture.md, without the transports (GraphQL, REST) changing.
 */
@Injectable()
export class AgentService {
  constructor(
    private readonly engine: LlmEngine,
    private readonly config: AppConfig,
  ) {}

  /** Streams the answer to one ask: token events, then `done`. */
  ask(input: AskInput, ctx: CallContext): AsyncIterable<GenerationEvent> {
    return this.engine.generate(
      {
        model: input.model,
        messages: this.withSystemPrompt([{ role: 'user', content: input.prompt }]),
        maxTokens: input.maxTokens,
        temperature: input.temperature,
      },
      ctx,
    );
  }

  /** An OpenAI-style chat: the caller's messages, with the server's system prompt when they bring none. */
  chat(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    return this.engine.generate({ ...request, messages: this.withSystemPrompt(request.messages) }, ctx);
  }

  private withSystemPrompt(messages: ChatMessage[]): ChatMessage[] {
    if (messages.some((m) => m.role === 'system') || !this.config.llm.systemPrompt) return messages;
    return [{ role: 'system', content: this.config.llm.systemPrompt }, ...messages];
  }
}
