import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { isMnemeError } from '../../common/mneme-error.js';
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
import { RoutingService, type Route } from '../routing/routing.service.js';
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
  route: Route;
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
    private readonly routing: RoutingService,
    private readonly config: AppConfig,
  ) {}

  /**
   * Streams the answer to one ask: route, admit (or OVERLOADED), recall, generate, remember, then one `answer`.
   * The path's slot is held until the exchange is remembered, and released however the ask ends.
   */
  async *ask(input: AskInput, ctx: CallContext): AsyncIterable<AgentEvent> {
    const decided = await this.routing.decide(
      { prompt: input.prompt, media: 0, maxTokens: input.maxTokens, hint: input.hint },
      ctx,
    );
    const { route, release } = await this.routing.admit(decided, ctx);
    try {
      for await (const event of this.answer(input, route, ctx)) {
        // The work is done once the answer exists: free the slot even if the consumer never asks for more.
        if (event.type === 'answer') release();
        yield event;
      }
    } finally {
      release();
    }
  }

  private async *answer(input: AskInput, route: Route, ctx: CallContext): AsyncIterable<AgentEvent> {
    const { profile } = route;
    const sessionId = input.sessionId ?? `s-${randomUUID()}`;
    const systemPrompt = this.config.llm.systemPrompt;
    const maxTokens = input.maxTokens ?? profile.maxTokens;
    const budget = await this.memoryBudget(input.prompt, maxTokens, profile.contextSize, systemPrompt);
    const recalled: PromptMemory =
      budget > 0
        ? await this.memory.forPrompt(
            input.prompt,
            sessionId,
            budget,
            { tiers: profile.memoryTiers, recallItems: profile.recallItems },
            ctx,
          )
        : { turns: [], episodes: [], degraded: [] };
    let memory = recalled;
    const notes: string[] = [];
    let messages: ChatMessage[];
    let result: GenerationResult | undefined;
    for (;;) {
      messages = assemblePrompt(systemPrompt, memory.episodes, memory.turns, input.prompt);
      const request = {
        model: input.model ?? route.model,
        messages,
        maxTokens,
        temperature: input.temperature ?? profile.temperature,
      };
      let streamed = false;
      try {
        for await (const event of this.engine.generate(request, ctx)) {
          if (event.type === 'token') {
            streamed = true;
            yield event;
          } else result = event.result;
        }
        break;
      } catch (error) {
        // Token estimates of recalled text can miss the rendered template by a little: rather than fail a short
        // question because of memory, retry with less of it (the engine refuses before decoding anything).
        const overflow = isMnemeError(error) && error.code === ErrorCode.CONTEXT_OVERFLOW;
        const smaller = overflow && !streamed ? shrink(memory) : undefined;
        if (!smaller) throw error;
        memory = smaller;
        notes.push('recalled memory was trimmed to fit the context');
      }
    }
    if (!result) throw new Error('LLM engine ended a generation without a result');
    const { ids, warnings } = await this.memory.rememberExchange(sessionId, input.prompt, result.text, ctx);
    const used = [
      ...memory.turns.map((t) => ({ id: t.id, tier: 'working' as const })),
      ...memory.episodes.map((e) => ({ id: e.id, tier: 'episodic' as const })),
    ];
    yield {
      type: 'answer',
      answer: {
        result,
        route,
        sessionId,
        memory: {
          used,
          remembered: ids,
          degraded: memory.degraded,
          warnings: [...new Set(notes), ...warnings],
        },
        context: messages,
      },
    };
  }

  /**
   * An OpenAI-style chat: the caller's messages (stateless: no memory), with the server's system prompt when
   * they bring none — routed and admitted like any ask, so REST floods meet the same bounded queues.
   */
  async *chat(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const decided = await this.routing.decide(
      { prompt: lastUser, media: 0, maxTokens: request.maxTokens, hint: undefined },
      ctx,
    );
    const { route, release } = await this.routing.admit(decided, ctx);
    const generateRequest = {
      ...request,
      model: request.model ?? route.model,
      maxTokens: request.maxTokens ?? route.profile.maxTokens,
      messages: this.withSystemPrompt(request.messages),
    };
    try {
      for await (const event of this.engine.generate(generateRequest, ctx)) {
        if (event.type === 'done') release();
        yield event;
      }
    } finally {
      release();
    }
  }

  /**
   * Prompt tokens memory may use: the path's context (capped by the model's) minus the question, the system
   * prompt, the template and all of the answer's token limit — memory never squeezes the answer.
   */
  private async memoryBudget(
    prompt: string,
    maxTokens: number,
    pathContext: number,
    systemPrompt: string,
  ): Promise<number> {
    const modelContext = this.engine.models()[0]?.contextSize ?? this.config.llm.contextSize;
    const contextSize = Math.min(pathContext, modelContext);
    const [question, system] = await Promise.all([
      this.engine.countTokens(prompt),
      this.engine.countTokens(systemPrompt),
    ]);
    return contextSize - question - system - maxTokens - 2 * MESSAGE_OVERHEAD - TEMPLATE_RESERVE;
  }

  private withSystemPrompt(messages: ChatMessage[]): ChatMessage[] {
    if (messages.some((m) => m.role === 'system') || !this.config.llm.systemPrompt) return messages;
    return [{ role: 'system', content: this.config.llm.systemPrompt }, ...messages];
  }
}

/** Less memory for a retry: first no episodes, then the newer half of the turns; undefined when none is left. */
function shrink(memory: PromptMemory): PromptMemory | undefined {
  if (memory.episodes.length > 0) return { ...memory, episodes: [] };
  if (memory.turns.length === 0) return undefined;
  let turns = memory.turns.slice(Math.ceil(memory.turns.length / 2));
  if (turns[0]?.role === 'assistant') turns = turns.slice(1);
  return { ...memory, turns };
}
