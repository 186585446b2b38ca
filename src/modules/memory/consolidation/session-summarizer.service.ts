import { Injectable, Logger } from '@nestjs/common';
import { ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import type { CallContext } from '../../../common/call-context.js';
import { AppConfig } from '../../../config/app-config.js';
import { LlmEngine, generateToEnd } from '../../../engines/llm/llm-engine.js';
import { withSpan } from '../../../telemetry/tracing.js';
import { SUMMARY_ROLE, type EpisodeRecord } from '../episodic/episode.record.js';
import { EpisodicMemoryService } from '../episodic/episodic-memory.service.js';
import { MemoryEventBus } from '../memory-events.js';
import { MESSAGE_OVERHEAD, windowByTokens } from '../working/token-window.js';
import { WorkingMemoryService } from '../working/working-memory.service.js';
import { summaryMessages, turnsToSummarize } from './session-summary.js';

// Sessions waiting for a look; past this, new ones are dropped — their next exchange notes them again.
const MAX_WAITING = 4096;
// Turns after the last summary read per pass; more than a window's worth only after a long outage.
const TURNS_PER_PASS = 256;
// Roughly 0.75 words per token: the word limit asked for, so the token cap rarely has to cut.
const WORDS_PER_TOKEN = 0.7;

/**
 * Working → episodic consolidation: when turns of a session have overflowed its working-memory window (the
 * prompt no longer sees them) and there are enough of them, they are summarized — together with the session's
 * previous summary — into a `summary` episode of at most half their tokens, citing them as `sources`. The
 * originals stay in episodic memory (retrievable until forgotten; forgetting one forgets the summaries that
 * retell it); asks put the latest summary before the window. Which turns a pass reads follows from what is
 * stored (the last summary's sources), so a lost wake-up or a crash only delays a summary, never loses or
 * repeats one.
 */
@Injectable()
export class SessionSummarizer {
  private readonly logger = new Logger('Summarizer');
  private readonly waiting = new Map<string, { tenant: string; sessionId: string }>();
  written = 0;
  failures = 0;

  constructor(
    private readonly working: WorkingMemoryService,
    private readonly episodic: EpisodicMemoryService,
    private readonly engine: LlmEngine,
    private readonly config: AppConfig,
    private readonly events: MemoryEventBus,
  ) {}

  /** A session got new turns: look at it on the next run. */
  note(sessionId: string, ctx: CallContext): void {
    if (this.config.memory.consolidation.summaryMinTokens === 0) return;
    const key = `${ctx.tenant}\u0000${sessionId}`;
    if (this.waiting.size < MAX_WAITING || this.waiting.has(key))
      this.waiting.set(key, { tenant: ctx.tenant, sessionId });
  }

  get pending(): number {
    return this.waiting.size;
  }

  pendingFor(tenant: string): number {
    let n = 0;
    for (const session of this.waiting.values()) if (session.tenant === tenant) n++;
    return n;
  }

  /** Looks at each noted session until `stop()` says to yield; answers how many summaries were written. */
  async runOnce(stop: () => boolean, signal: AbortSignal): Promise<number> {
    let written = 0;
    for (const [key, session] of [...this.waiting]) {
      if (stop()) break;
      this.waiting.delete(key);
      const ctx: CallContext = { tenant: session.tenant, signal, trace: ROOT_CONTEXT };
      try {
        if (await this.summarize(session.sessionId, ctx)) written++;
      } catch (error) {
        if (signal.aborted) return written;
        this.failures++;
        this.waiting.set(key, session); // tried again on the next run
        this.logger.warn(`Summarizing session ${session.sessionId} failed: ${(error as Error).message}`);
      }
    }
    return written;
  }

  /** Summarizes what overflowed the session's window, when enough has; answers the summary written. */
  async summarize(sessionId: string, ctx: CallContext): Promise<EpisodeRecord | undefined> {
    const { working, consolidation } = this.config.memory;
    const kept = await this.working.window(sessionId, Number.MAX_SAFE_INTEGER, ctx);
    const window = windowByTokens(kept, working.tokens, MESSAGE_OVERHEAD, working.slideTurns);
    // Nothing has overflowed while the window still starts at the session's first turn (or it has expired).
    if (kept.length === 0 || (window.length === kept.length && kept[0]!.seq <= 1)) return undefined;
    // An empty window (one turn bigger than it) means every turn has overflowed.
    const windowStart = window[0]?.createdAt ?? Number.POSITIVE_INFINITY;
    const previous = await this.episodic.latestSummary(sessionId, ctx);
    const since = await this.episodic.turnsSince(sessionId, previous?.createdAt, TURNS_PER_PASS, ctx);
    const costs = await Promise.all(since.map((t) => this.engine.countTokens(t.text)));
    const previousTokens = previous ? await this.engine.countTokens(previous.text) : 0;
    const budget = Math.max(1, consolidation.summaryInputTokens - previousTokens);
    const { take, tokens, overflowed, left } = turnsToSummarize(
      since,
      costs,
      windowStart,
      new Set(previous?.sources),
      budget,
    );
    if (take.length === 0 || overflowed < consolidation.summaryMinTokens) return undefined;
    const record = await withSpan(
      'consolidation.summarize',
      ctx.trace,
      { 'mneme.turns': take.length, 'mneme.input_tokens': tokens + previousTokens },
      (span, trace) =>
        this.write(sessionId, previous, take, tokens + previousTokens, { ...ctx, trace }, span),
    );
    if (left > 0) this.note(sessionId, ctx);
    return record;
  }

  private async write(
    sessionId: string,
    previous: EpisodeRecord | undefined,
    take: EpisodeRecord[],
    inputTokens: number,
    ctx: CallContext,
    span: Span,
  ): Promise<EpisodeRecord> {
    const limit = Math.max(1, Math.floor(inputTokens / 2));
    const result = await generateToEnd(
      this.engine,
      {
        messages: summaryMessages(
          previous?.text,
          take,
          Math.max(8, Math.floor(limit * WORDS_PER_TOKEN)),
          this.config.memory.consolidation.summaryInputTokens,
        ),
        maxTokens: limit,
        temperature: 0,
        sessionId,
      },
      ctx,
    );
    const text = await this.within(result.text.trim(), limit);
    if (!text) throw new Error('the model wrote an empty summary');
    span.setAttribute('mneme.output_tokens', await this.engine.countTokens(text));
    const last = take[take.length - 1]!;
    const [record] = await this.episodic.remember(
      [
        {
          sessionId,
          role: SUMMARY_ROLE,
          text,
          // Placed where what it covers ends, so a session's listing reads in order.
          createdAt: last.createdAt,
          importance: Math.max(...take.map((t) => t.importance)),
          sources: [...(previous ? [previous.id] : []), ...take.map((t) => t.id)],
        },
      ],
      ctx,
    );
    this.written++;
    this.events.publish(ctx.tenant, {
      kind: 'session-summarized',
      at: Date.now(),
      episodeId: record!.id,
      sessionId,
      turns: take.length,
    });
    return record!;
  }

  /**
   * The text, cut to its longest prefix that costs at most `limit` tokens (re-tokenizing generated text can
   * cost more than generating it did), at a word boundary when there is one.
   */
  private async within(text: string, limit: number): Promise<string> {
    if ((await this.engine.countTokens(text)) <= limit) return text;
    let [low, high] = [0, text.length];
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if ((await this.engine.countTokens(text.slice(0, middle))) <= limit) low = middle;
      else high = middle;
    }
    const space = text.lastIndexOf(' ', low);
    return text.slice(0, space > low / 2 ? space : low).trim();
  }
}
