import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { AppConfig } from '../../../config/app-config.js';
import {
  LlmEngine,
  type ChatMessage,
  type GenerateRequest,
  type GenerationEvent,
} from '../../../engines/llm/llm-engine.js';
import { RateLimits } from '../../../engines/rate-limit/rate-limits.js';
import { FusionService } from '../../fusion/fusion.service.js';
import { RoutingService } from '../../routing/routing.service.js';
import { describeImages } from '../chat-images.js';
import { assertImageCount, assertPromptSize, tokensFor } from '../request-limits.js';

/**
 * An OpenAI-style chat: the caller's messages (stateless: no memory), with the server's system prompt when they
 * bring none — bounded like an ask, routed and admitted through the same gates, so REST floods meet the same
 * bounded queues.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly engine: LlmEngine,
    private readonly routing: RoutingService,
    private readonly fusion: FusionService,
    private readonly config: AppConfig,
    private readonly rateLimits: RateLimits,
  ) {}

  async *chat(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    const images = request.messages.reduce((n, m) => n + (m.images?.length ?? 0), 0);
    const chars = request.messages.reduce((n, m) => n + m.content.length, 0);
    assertPromptSize(chars, this.config.llm.contextSize);
    assertImageCount(images, this.config.perception.imagesPerRequest);
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const decided = await this.routing.decide(
      { prompt: lastUser, media: images, maxTokens: request.maxTokens, hint: undefined },
      ctx,
    );
    const { route, release } = await this.routing.admit(decided, ctx);
    try {
      const messages =
        images > 0 && !this.engine.acceptsImages(request.model ?? route.model)
          ? await describeImages(request.messages, this.fusion, ctx)
          : request.messages;
      const generateRequest = {
        ...request,
        model: request.model ?? route.model,
        maxTokens: tokensFor(request.maxTokens, route.profile),
        messages: this.withSystemPrompt(messages),
      };
      for await (const event of this.engine.generate(generateRequest, ctx)) {
        if (event.type === 'done') {
          release();
          await this.rateLimits.chargeTokens(ctx.tenant, event.result.usage.completionTokens);
        }
        yield event;
      }
    } finally {
      release();
    }
  }

  private withSystemPrompt(messages: ChatMessage[]): ChatMessage[] {
    if (messages.some((m) => m.role === 'system') || !this.config.llm.systemPrompt) return messages;
    return [{ role: 'system', content: this.config.llm.systemPrompt }, ...messages];
  }
}
