import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { AppConfig } from '../../config/app-config.js';
import {
  LlmEngine,
  type ChatMessage,
  type GenerateRequest,
  type GenerationEvent,
  type GenerationResult,
} from '../../engines/llm/llm-engine.js';
import type { MemoryTierName } from '../memory/memory-span.js';
import { MESSAGE_OVERHEAD, MemoryService, type PromptMemory } from '../memory/memory.service.js';
import { assemblePrompt } from '../memory/prompt-context.js';
import type { AskInput } from './dto/ask.input.js';

/** The memory side of an answer: what was used, what was stored, what was skipped or failed. */
export interface AnswerMemory {
  used: { id: string; tier: MemoryTierName }[];
  remembered: string[];
  degraded: MemoryTierName[];
  warnings: string[];
}

export interface AgentAnswer {
  result: GenerationResult;
  sessionId: string;
  memory: AnswerMemory;
  /** The messages the model answered from (system prompt, memories, turns, question). */
  context: ChatMessage[];
}

export type AgentEvent = { type: 'token'; text: string } | { type: 'answer'; answer: AgentAnswer };

// Room kept free for the chat template around system prompt and question.
const TEMPLATE_RESERVE = 32;

/**
 * The ask pipeline, in the order of docs/architecture.md: recall working + episodic memory under a token
 * budget, generate, then remember the exchange before the answer is final.
 */
@Injectable()
export class AgentService {
  constructor(
    private readonly engine: LlmEngine,
    private readonly memory: MemoryService,
    private readonly config: AppConfig,
  ) {}

  /** Streams the answer to one ask: token events, then one `answer` once the exchange is remembered. */
  async *ask(input: AskInput, ctx: CallContext): AsyncIterable<AgentEvent> {
    const sessionId = input.sessionId ?? `s-${randomUUID()}`;
    const systemPrompt = this.config.llm.systemPrompt;
    const budget = await this.memoryBudget(input, systemPrompt);
    const recalled: PromptMemory =
      budget > 0
        ? await this.memory.forPrompt(input.prompt, sessionId, budget, ctx)
        : { turns: [], episodes: [], degraded: [] };
    const messages = assemblePrompt(systemPrompt, recalled.episodes, recalled.turns, input.prompt);
    let result: GenerationResult | undefined;
    const request = {
      model: input.model,
      messages,
      maxTokens: input.maxTokens,
      temperature: input.temperature,
    };
    for await (const event of this.engine.generate(request, ctx)) {
      if (event.type === 'token') yield event;
      else result = event.result;
    }
    if (!result) throw new Error('LLM engine ended a generation without a result');
    const { ids, warnings } = await this.memory.rememberExchange(sessionId, input.prompt, result.text, ctx);
    const used = [
      ...recalled.turns.map((t) => ({ id: t.id, tier: 'working' as const })),
      ...recalled.episodes.map((e) => ({ id: e.id, tier: 'episodic' as const })),
    ];
    yield {
      type: 'answer',
      answer: {
        result,
        sessionId,
        memory: { used, remembered: ids, degraded: recalled.degraded, warnings },
        context: messages,
      },
    };
  }

  /** An OpenAI-style chat: the caller's messages, with the server's system prompt when they bring none. */
  chat(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    return this.engine.generate({ ...request, messages: this.withSystemPrompt(request.messages) }, ctx);
  }

  /**
   * Prompt tokens memory may use: the context window minus the question, the system prompt, the template and
   * room for the answer — all of an explicit maxTokens (memory never squeezes what the caller asked for), else
   * the server default capped at a quarter of the window.
   */
  private async memoryBudget(input: AskInput, systemPrompt: string): Promise<number> {
    const contextSize = this.engine.models()[0]?.contextSize ?? this.config.llm.contextSize;
    const answerRoom = input.maxTokens ?? Math.min(this.config.llm.maxTokens, Math.floor(contextSize / 4));
    const [question, system] = await Promise.all([
      this.engine.countTokens(input.prompt),
      this.engine.countTokens(systemPrompt),
    ]);
    return contextSize - question - system - answerRoom - 2 * MESSAGE_OVERHEAD - TEMPLATE_RESERVE;
  }

  private withSystemPrompt(messages: ChatMessage[]): ChatMessage[] {
    if (messages.some((m) => m.role === 'system') || !this.config.llm.systemPrompt) return messages;
    return [{ role: 'system', content: this.config.llm.systemPrompt }, ...messages];
  }
}
