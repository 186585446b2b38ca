import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Span } from '@opentelemetry/api';
import { cancelledError } from '../../common/abort.js';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { isMnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { RateLimits } from '../../engines/rate-limit/rate-limits.js';
import {
  LlmEngine,
  type ChatImage,
  type ChatMessage,
  type GenerateRequest,
  type GenerationEvent,
  type GenerationResult,
} from '../../engines/llm/llm-engine.js';
import type { MemoryTierName } from '../memory/memory-span.js';
import { MemoryService, type PromptMemory } from '../memory/memory.service.js';
import { assemblePrompt } from '../memory/prompt-context.js';
import { FusionService } from '../fusion/fusion.service.js';
import type { Percept } from '../fusion/percept.js';
import { SloService } from '../performance/slo.service.js';
import { RoutingService, type Route } from '../routing/routing.service.js';
import { checkAnswer } from '../routing/self-check.js';
import { vote } from '../routing/self-consistency.js';
import type { AskInput } from './dto/ask.input.js';
import { contextWithSpan, endSpan, startSpan } from '../../telemetry/tracing.js';
import { describeImages } from './chat-images.js';
import { fitText, memoryBudget, shrink } from './prompt-budget.js';
import { exchangeMedia } from './exchange-media.js';
import { PERCEPTION_ANSWERER, unrecognizedImageReply } from './unrecognized-image.js';
import type { AgentEvent, Consistency } from './agent.types.js';
import { assertImageCount, assertPromptSize, tokensFor } from './request-limits.js';

export type { AgentAnswer, AgentEvent, AnswerMemory, Consistency } from './agent.types.js';

/** What perception adds to the prompt: source-marked text, and the images when the LLM takes them. */
interface Perceived {
  context: string;
  images: ChatImage[];
}

interface Generation {
  result: GenerationResult;
  /** The memory that fit (after any trimming). */
  memory: PromptMemory;
  messages: ChatMessage[];
}

// Samples need to differ to be worth a vote.
const SAMPLING_TEMPERATURE = 0.7;

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
    private readonly fusion: FusionService,
    private readonly config: AppConfig,
    private readonly slo: SloService,
    private readonly rateLimits: RateLimits,
  ) {}

  /**
   * Streams the answer to one ask: route, admit (or OVERLOADED), recall, generate, remember, then one `answer`.
   * The path's slot is held until the exchange is remembered, and released however the ask ends.
   */
  async *ask(input: AskInput, caller: CallContext): AsyncIterable<AgentEvent> {
    // The ask span: what the per-path latency targets (ask.<path>, ttft.<path>) are measured on.
    const span = startSpan('ask', caller.trace);
    const ctx = { ...caller, trace: contextWithSpan(span, caller.trace) };
    let failure: unknown;
    let answered = false;
    try {
      assertPromptSize(input.prompt.length, this.config.llm.contextSize);
      for await (const event of this.routed(input, span, ctx)) {
        if (event.type === 'answer') answered = true;
        yield event;
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      // A consumer that stopped listening before the answer cancelled the ask; it did not succeed quickly.
      endSpan(span, failure ?? (answered ? undefined : cancelledError('the client stopped listening')));
    }
  }

  private async *routed(input: AskInput, span: Span, ctx: CallContext): AsyncIterable<AgentEvent> {
    const media = (input.images?.length ?? 0) + (input.audio ? 1 : 0);
    const decided = await this.routing.decide(
      { prompt: input.prompt, media, maxTokens: input.maxTokens, hint: input.hint },
      ctx,
    );
    span.setAttribute('mneme.route.path', decided.path);
    const { route, release } = await this.routing.admit(decided, ctx);
    try {
      // Media first: a bad file fails the ask before anything is generated or remembered.
      const percept =
        media > 0
          ? await this.fusion.fuse(
              {
                text: input.prompt,
                images: input.images ?? [],
                audio: input.audio,
                imageAnswering: this.engine.acceptsImages() ? 'vision-llm' : 'candidate-scoring',
              },
              ctx,
            )
          : undefined;
      for await (const event of this.answer(input, route, percept, ctx)) {
        // The work is done once the answer exists: free the slot even if the consumer never asks for more.
        if (event.type === 'answer') {
          release();
          span.setAttributes({
            'mneme.llm.ttft_ms': event.answer.result.timings.ttftMs,
            'mneme.route.final_path': event.answer.route.path,
          });
        }
        yield event;
      }
    } finally {
      release();
    }
  }

  private async *answer(
    input: AskInput,
    first: Route,
    percept: Percept | undefined,
    ctx: CallContext,
  ): AsyncIterable<AgentEvent> {
    const sessionId = input.sessionId ?? `s-${randomUUID()}`;
    const { profile } = first;
    const room = await memoryBudget(
      this.engine,
      this.config.llm.contextSize,
      input.prompt,
      tokensFor(input.maxTokens, profile),
      profile.contextSize,
      this.config.llm.systemPrompt,
    );
    // What was perceived comes first (it is what the question is about), up to half the room; memory gets the rest.
    const context = await fitText(this.engine, percept?.context ?? '', Math.floor(room / 2));
    const perceived: Perceived = { context, images: percept?.llmImages ?? [] };
    const budget = room - (context ? await this.engine.countTokens(context) : 0);
    const notes: string[] = [];
    if (input.maxTokens !== undefined && input.maxTokens > profile.maxTokens)
      notes.push(`maxTokens ${input.maxTokens} was capped at the ${first.path} path's ${profile.maxTokens}`);
    const { tiers, skipped } = this.shed(first, notes);
    const recalled: PromptMemory =
      budget > 0
        ? await this.memory.forPrompt(
            input.prompt,
            sessionId,
            budget,
            {
              tiers,
              recallItems: profile.recallItems,
              neighborhoodHops: profile.neighborhoodHops,
            },
            ctx,
            percept?.vectors,
          )
        : { turns: [], facts: [], episodes: [], degraded: [] };
    let route = first;
    const samples = route.path === 'deep' ? (input.samples ?? profile.samples) : 1;
    let consistency: Consistency | undefined;
    let generation: Generation;
    if (percept?.imagesUnrecognized) {
      generation = { result: unrecognizedImageReply(percept), memory: recalled, messages: [] };
      yield { type: 'token', text: generation.result.text };
    } else if (samples > 1)
      ({ generation, consistency } = yield* this.sampleAndVote(
        input,
        route,
        recalled,
        notes,
        samples,
        perceived,
        ctx,
      ));
    else generation = yield* this.generate(input, route, recalled, notes, perceived, ctx);

    // Escalation: an unsure answer on a path that escalates is re-run on the medium path, if it has room.
    const check = checkAnswer(
      generation.result.text,
      generation.result.finishReason,
      input.maxTokens !== undefined,
    );
    if (profile.escalate && check.unsure && generation.result.model !== PERCEPTION_ANSWERER) {
      const escalation = await this.routing.escalate(route, check.reasons, ctx);
      if (escalation) {
        try {
          yield { type: 'restart', reason: escalation.route.reason };
          route = escalation.route;
          generation = yield* this.generate(input, route, generation.memory, notes, perceived, ctx);
        } finally {
          escalation.release();
        }
      } else
        notes.push(`the answer looked unsure (${check.reasons.join(', ')}) but the medium path was busy`);
    }

    const { result, memory, messages } = generation;
    const { ids, warnings } = await this.memory.rememberExchange(
      {
        sessionId,
        question: input.prompt,
        answer: result.text,
        media: percept && exchangeMedia(percept),
        extract: route.profile.extraction,
      },
      ctx,
    );
    const used = [
      ...memory.turns.map((t) => ({ id: t.id, tier: 'working' as const })),
      ...(memory.summary ? [{ id: memory.summary.id, tier: 'episodic' as const }] : []),
      ...memory.facts.map((f) => ({ id: f.id, tier: 'semantic' as const })),
      ...memory.episodes.map((e) => ({ id: e.id, tier: 'episodic' as const })),
    ];
    yield {
      type: 'answer',
      answer: {
        result,
        route,
        perception: percept,
        consistency,
        sessionId,
        memory: {
          used,
          remembered: ids,
          degraded: memory.degraded,
          skipped,
          warnings: [...new Set(notes), ...warnings],
        },
        context: messages,
      },
    };
  }

  /**
   * The memory tiers of the route, less those the fast path skips while their stage breaches its latency
   * target (MNEME_SLO_SHED_FAST); each skip is said in the answer's warnings.
   */
  private shed(route: Route, notes: string[]): { tiers: MemoryTierName[]; skipped: MemoryTierName[] } {
    const tiers = [...route.profile.memoryTiers];
    if (route.path !== 'fast') return { tiers, skipped: [] };
    const skipped = tiers.filter((tier) => {
      const breach = this.slo.shedOnFast(`memory.${tier}`);
      if (breach)
        notes.push(
          `${tier} memory skipped on the fast path: memory.${tier} p95 ${Math.round(breach.p95)} ms is over ` +
            `its ${breach.target} ms target`,
        );
      return breach !== undefined;
    });
    return { tiers: tiers.filter((t) => !skipped.includes(t)), skipped };
  }

  /**
   * Self-consistency: `n` answers sampled with some temperature, a majority vote over their final answers, and
   * the winning sample streamed as one piece (the losers are never shown).
   */
  private async *sampleAndVote(
    input: AskInput,
    route: Route,
    recalled: PromptMemory,
    notes: string[],
    n: number,
    perceived: Perceived,
    ctx: CallContext,
  ): AsyncGenerator<AgentEvent, { generation: Generation; consistency: Consistency }, undefined> {
    const runs: Generation[] = [];
    let memory = recalled;
    const temperature = Math.max(input.temperature ?? route.profile.temperature, SAMPLING_TEMPERATURE);
    for (let i = 0; i < n; i++) {
      const run = this.generate({ ...input, temperature }, route, memory, notes, perceived, ctx);
      let step = await run.next();
      while (!step.done) step = await run.next(); // tokens of a sample are not streamed
      runs.push(step.value);
      memory = step.value.memory;
    }
    const ballot = vote(runs.map((r) => r.result.text));
    const generation = runs[ballot.winner]!;
    yield { type: 'token', text: generation.result.text };
    const totalCompletionTokens = runs.reduce((sum, r) => sum + r.result.usage.completionTokens, 0);
    return {
      generation,
      consistency: {
        samples: n,
        agreement: ballot.agreement,
        diversity: ballot.diversity,
        totalCompletionTokens,
      },
    };
  }

  /**
   * One generation on a route, streaming its tokens. Token estimates of recalled text can miss the rendered
   * template by a little: rather than fail a short question because of memory, a CONTEXT_OVERFLOW (raised
   * before anything is decoded) is retried with less memory.
   */
  private async *generate(
    input: AskInput,
    route: Route,
    recalled: PromptMemory,
    notes: string[],
    perceived: Perceived,
    ctx: CallContext,
  ): AsyncGenerator<AgentEvent, Generation, undefined> {
    let memory = recalled;
    for (;;) {
      const messages = assemblePrompt(this.config.llm.systemPrompt, memory, input.prompt, perceived.context);
      // A vision LLM sees the images themselves, with the question they came with.
      if (perceived.images.length) messages[messages.length - 1]!.images = perceived.images;
      const request = {
        model: input.model ?? route.model,
        messages,
        maxTokens: tokensFor(input.maxTokens, route.profile),
        temperature: input.temperature ?? route.profile.temperature,
      };
      let streamed = false;
      let result: GenerationResult | undefined;
      try {
        for await (const event of this.engine.generate(request, ctx)) {
          if (event.type === 'token') {
            streamed = true;
            yield event;
          } else result = event.result;
        }
      } catch (error) {
        const overflow = isMnemeError(error) && error.code === ErrorCode.CONTEXT_OVERFLOW;
        const smaller = overflow && !streamed ? shrink(memory) : undefined;
        if (!smaller) throw error;
        memory = smaller;
        notes.push('recalled memory was trimmed to fit the context');
        continue;
      }
      if (!result) throw new Error('LLM engine ended a generation without a result');
      await this.rateLimits.chargeTokens(ctx.tenant, result.usage.completionTokens);
      return { result, memory, messages };
    }
  }

  /**
   * An OpenAI-style chat: the caller's messages (stateless: no memory), with the server's system prompt when
   * they bring none — routed and admitted like any ask, so REST floods meet the same bounded queues.
   */
  async *chat(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    const lastUser = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    const images = request.messages.reduce((n, m) => n + (m.images?.length ?? 0), 0);
    const chars = request.messages.reduce((n, m) => n + m.content.length, 0);
    assertPromptSize(chars, this.config.llm.contextSize);
    assertImageCount(images, this.config.perception.imagesPerRequest);
    const decided = await this.routing.decide(
      { prompt: lastUser, media: images, maxTokens: request.maxTokens, hint: undefined },
      ctx,
    );
    const { route, release } = await this.routing.admit(decided, ctx);
    try {
      const messages =
        images > 0 && !this.engine.acceptsImages()
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
