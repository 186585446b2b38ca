import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { isMnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { SessionSummarizer } from './consolidation/session-summarizer.service.js';
import type { EpisodeRecord } from './episodic/episode.record.js';
import { EpisodicMemoryService, type QueryVectors } from './episodic/episodic-memory.service.js';
import type { MemoryTierName } from './memory-span.js';
import { SemanticMemoryService } from './semantic/semantic-memory.service.js';
import { fitToBudget, type RecalledEpisode, type RecalledFact } from './prompt-context.js';
import type { FactView } from './semantic/graph-store.js';
import { WindowRestorer } from './working/window-restorer.js';
import { WorkingMemoryService } from './working/working-memory.service.js';
import { MESSAGE_OVERHEAD } from './working/token-window.js';
import type { Turn } from './working/working-memory.store.js';
import type {
  Conversation,
  RecallDepth,
  PromptMemory,
  MemoryHit,
  Exchange,
  MemorySizes,
} from './memory.types.js';

const EPISODE_LINE_OVERHEAD = 16;
const FACT_LINE_OVERHEAD = 4;
const MEMORY_HEADER_TOKENS = 16;

export type {
  Conversation,
  RecallDepth,
  PromptMemory,
  MemoryHit,
  ExchangeMedia,
  Exchange,
  MemorySizes,
  ForgetScope,
  ForgetCounts,
} from './memory.types.js';

/** The memory facade: recall() and remember() across tiers, as the ask pipeline and the API use them. */
@Injectable()
export class MemoryService {
  private readonly logger = new Logger('Memory');

  constructor(
    private readonly working: WorkingMemoryService,
    private readonly episodic: EpisodicMemoryService,
    private readonly semantic: SemanticMemoryService,
    private readonly engine: LlmEngine,
    private readonly config: AppConfig,
    private readonly summarizer: SessionSummarizer,
    private readonly restorer: WindowRestorer,
  ) {}

  /**
   * The stable part of a prompt's memory: the session's window of recent turns (up to its own share of
   * `budget`) and the summary of what came before it. Known before anything is searched, so the engine can
   * evaluate it while the rest is recalled.
   */
  async conversation(
    sessionId: string,
    budget: number,
    tiers: readonly MemoryTierName[],
    ctx: CallContext,
  ): Promise<Conversation> {
    const degraded: MemoryTierName[] = [];
    const workingBudget = Math.min(this.config.memory.working.tokens, budget);
    const turns = tiers.includes('working')
      ? await this.orDegrade('working', degraded, [] as Turn[], () =>
          this.windowOf(sessionId, workingBudget, ctx, MESSAGE_OVERHEAD),
        )
      : [];
    const used = turns.reduce((sum, t) => sum + t.tokens + MESSAGE_OVERHEAD, 0);
    const summary = await this.summaryBefore(turns, sessionId, budget - used, degraded, ctx);
    return { turns, summary: summary?.episode, tokens: used + (summary?.tokens ?? 0), degraded };
  }

  /** The session's window; after a restart (in-process working memory), first brought back from episodic. */
  private async windowOf(sessionId: string, budget: number, ctx: CallContext, overhead = 0): Promise<Turn[]> {
    const turns = await this.working.window(sessionId, budget, ctx, overhead);
    if (turns.length > 0 || !(await this.restorer.restore(sessionId, ctx))) return turns;
    return this.working.window(sessionId, budget, ctx, overhead);
  }

  /**
   * Everything memory puts into a prompt within `budget` tokens: the conversation (taken as given when the
   * caller already read it), then current facts, then episodes not already in the window.
   */
  async forPrompt(
    prompt: string,
    sessionId: string,
    budget: number,
    depth: RecallDepth,
    ctx: CallContext,
    vectors?: QueryVectors,
    read?: Conversation,
  ): Promise<PromptMemory> {
    const {
      turns,
      summary,
      tokens,
      degraded: conversationDegraded,
    } = read ?? (await this.conversation(sessionId, budget, depth.tiers, ctx));
    const degraded = [...conversationDegraded];
    let used = tokens;
    // Facts next: compact, current, and about exactly what the request names.
    const facts = depth.tiers.includes('semantic')
      ? await this.factsFor(
          prompt,
          depth.neighborhoodHops,
          Math.min(this.config.memory.semantic.recallTokens, budget - used),
          degraded,
          ctx,
        )
      : [];
    used += facts.reduce((sum, f) => sum + f.tokens, 0) + (facts.length ? MEMORY_HEADER_TOKENS : 0);
    const episodeBudget = Math.min(this.config.memory.episodic.recallTokens, budget - used);
    const items = depth.tiers.includes('episodic')
      ? Math.min(depth.recallItems, this.config.memory.episodic.recallItems)
      : 0;
    const head = { turns, facts: facts.map((f) => f.fact), degraded, summary };
    if (episodeBudget <= 0 || items === 0) return { ...head, episodes: [] };
    const exclude = new Set(turns.map((t) => t.id));
    if (summary) exclude.add(summary.id);
    const hits = await this.orDegrade('episodic', degraded, [], () =>
      this.episodic.recall({ text: prompt, vectors, first: items, exclude }, ctx),
    );
    if (this.episodic.vectorSpace.degraded && !degraded.includes('episodic')) degraded.push('episodic');
    const costed = await Promise.all(
      hits.map(async (h) => ({
        episode: toRecalled(h.item),
        tokens: await this.engine.countTokens(h.item.summary),
      })),
    );
    // Each line also carries "- [YYYY-MM-DD, assistant] " (~12 tokens); the block has a header line.
    const episodes = fitToBudget(
      costed,
      (c) => c.tokens + EPISODE_LINE_OVERHEAD,
      episodeBudget - MEMORY_HEADER_TOKENS,
    ).map((c) => c.episode);
    return { ...head, episodes };
  }

  /**
   * The session's latest summary when older turns than the window exist (the first turn, seq 1, is not in it)
   * and it fits `budget`. Short sessions never pay for the lookup.
   */
  private async summaryBefore(
    turns: Turn[],
    sessionId: string,
    budget: number,
    degraded: MemoryTierName[],
    ctx: CallContext,
  ): Promise<{ episode: RecalledEpisode; tokens: number } | undefined> {
    if (!turns.length || turns[0]!.seq <= 1 || this.config.memory.consolidation.summaryMinTokens === 0)
      return;
    const found = await this.orDegrade('episodic', degraded, undefined, () =>
      this.episodic.latestSummary(sessionId, ctx),
    );
    if (!found) return;
    const tokens = (await this.engine.countTokens(found.text)) + MEMORY_HEADER_TOKENS;
    // Its whole text: a summary is already short, and a shortened one would lose what it was written to keep.
    const episode = { id: found.id, role: found.role, text: found.text, createdAt: found.createdAt };
    return tokens <= budget ? { episode, tokens } : undefined;
  }

  /** The facts that fit `budget` tokens, each with its cost (a line of its own). */
  private async factsFor(
    prompt: string,
    hops: number,
    budget: number,
    degraded: MemoryTierName[],
    ctx: CallContext,
  ): Promise<{ fact: RecalledFact; tokens: number }[]> {
    const limit = this.config.memory.semantic.recallFacts;
    if (budget <= MEMORY_HEADER_TOKENS || limit === 0) return [];
    const found = await this.orDegrade('semantic', degraded, [], () =>
      this.semantic.mentioned(prompt, hops, limit, ctx),
    );
    const costed = await Promise.all(
      found.map(async (f) => {
        const fact = { id: f.id, text: factLine(f) };
        return { fact, tokens: (await this.engine.countTokens(fact.text)) + FACT_LINE_OVERHEAD };
      }),
    );
    return fitToBudget(costed, (c) => c.tokens, budget - MEMORY_HEADER_TOKENS);
  }

  /**
   * Remembers one exchange in both tiers under shared ids. Never throws: the answer already exists, so a store
   * failure is reported back as a warning instead of losing it.
   */
  async rememberExchange(
    { sessionId, question, answer, media, extract }: Exchange,
    ctx: CallContext,
  ): Promise<{ ids: string[]; warnings: string[] }> {
    const now = Date.now();
    const exchange = [
      {
        id: randomUUID(),
        role: 'user' as const,
        text: media ? `${question}\n${media.note}`.trim() : question,
        createdAt: now,
      },
      { id: randomUUID(), role: 'assistant' as const, text: answer, createdAt: now + 1 },
    ];
    const appendTurns = async () => {
      const tokens = await Promise.all(exchange.map((t) => this.engine.countTokens(t.text)));
      const appended = await this.working.append(
        sessionId,
        exchange.map((t, i) => ({ ...t, tokens: tokens[i]! })),
        ctx,
      );
      // The window may have overflowed: the background worker looks (and summarizes what the prompt lost).
      this.summarizer.note(sessionId, ctx);
      return appended;
    };
    const outcomes = await Promise.allSettled([
      appendTurns(),
      this.episodic.remember(
        exchange.map((t, i) => ({
          ...t,
          sessionId,
          // What the user said is what facts are extracted from; the assistant's words are not evidence.
          extract: i === 0 && extract,
          ...(i === 0 &&
            media && {
              modality: media.modality,
              media: media.hashes,
              imageVector: media.imageVector,
              audioVector: media.audioVector,
              fusedVector: media.fusedVector,
            }),
        })),
        ctx,
      ),
    ]);
    const warnings = outcomes.flatMap((o, i) => {
      if (o.status === 'fulfilled') return [];
      const tier = i === 0 ? 'working' : 'episodic';
      const reason = o.reason instanceof Error ? o.reason.message : String(o.reason);
      this.logger.warn(`Remembering an exchange in ${tier} memory failed: ${reason}`);
      return [`not remembered in ${tier} memory: ${reason}`];
    });
    return { ids: exchange.map((t) => t.id), warnings };
  }

  /**
   * Explicit recall for the API: up to `first` of the session's newest turns (working) followed by up to
   * `first` episodes by relevance (episodic) — `first` is per tier, so neither tier crowds the other out.
   */
  async recall(
    query: string,
    tiers: readonly MemoryTierName[],
    first: number,
    sessionId: string | undefined,
    ctx: CallContext,
    vectors?: QueryVectors,
  ): Promise<MemoryHit[]> {
    const hits: MemoryHit[] = [];
    if (tiers.includes('working') && sessionId !== undefined) {
      const turns = await this.windowOf(sessionId, Number.MAX_SAFE_INTEGER, ctx);
      // Working memory is the session's recency window: newest first, scored by position.
      turns
        .reverse()
        .slice(0, first)
        .forEach((t, i) =>
          hits.push({
            id: t.id,
            tier: 'working',
            sessionId,
            role: t.role,
            text: t.text,
            createdAt: t.createdAt,
            score: 1 / (1 + i),
          }),
        );
    }
    if (tiers.includes('episodic')) {
      const ranked = await this.episodic.recall({ text: query, vectors, first, sessionId }, ctx);
      const degraded = this.episodic.vectorSpace.degraded;
      for (const r of ranked) hits.push({ ...toHit(r.item), score: r.score, degraded });
    }
    if (tiers.includes('semantic') && query.trim()) {
      // Facts about the entities the query names, in the order they were found.
      const facts = await this.semantic.mentioned(query, 0, first, ctx);
      facts.forEach((f, i) =>
        hits.push({
          id: f.id,
          tier: 'semantic',
          sessionId: '',
          role: 'fact',
          text: factLine(f),
          createdAt: f.createdAt,
          score: 1 / (1 + i),
        }),
      );
    }
    return hits;
  }

  /** How much each durable tier holds, all tenants together (for /metrics); a tier that is down is left out. */
  async sizes(): Promise<MemorySizes> {
    const [episodes, graph] = await Promise.allSettled([this.episodic.total(), this.semantic.totals()]);
    return {
      sessionsToSummarize: this.summarizer.pending,
      ...(episodes.status === 'fulfilled' && { episodes: episodes.value }),
      ...(graph.status === 'fulfilled' && graph.value),
    };
  }

  private async orDegrade<T>(
    tier: MemoryTierName,
    degraded: MemoryTierName[],
    fallback: T,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (!this.config.memory.degrade || !isMnemeError(error) || error.code !== ErrorCode.STORE_UNAVAILABLE)
        throw error;
      this.logger.warn(`Answering without ${tier} memory: ${error.message}`);
      degraded.push(tier);
      return fallback;
    }
  }
}

/** "Ada Lovelace lives in Paris (since 2020-01-01)". */
export function factLine(f: FactView): string {
  const since = new Date(f.validFrom).toISOString().slice(0, 10);
  return `${f.subject} ${f.predicate.replaceAll('_', ' ')} ${f.object} (since ${since})`;
}

function toRecalled(e: EpisodeRecord): RecalledEpisode {
  return { id: e.id, role: e.role, text: e.summary, createdAt: e.createdAt };
}

function toHit(e: EpisodeRecord): Omit<MemoryHit, 'score'> {
  return {
    id: e.id,
    tier: 'episodic',
    sessionId: e.sessionId,
    role: e.role,
    text: e.text,
    createdAt: e.createdAt,
  };
}
