import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../../common/call-context.js';
import { AppConfig } from '../../../config/app-config.js';
import { LlmEngine, generateToEnd } from '../../../engines/llm/llm-engine.js';
import { withSpan } from '../../../telemetry/tracing.js';
import { CONSOLIDATION, type EpisodeRecord } from '../episodic/episode.record.js';
import { EpisodicMemoryService } from '../episodic/episodic-memory.service.js';
import { MemoryEventBus } from '../memory-events.js';
import { SemanticMemoryService } from '../semantic/semantic-memory.service.js';
import { EXTRACTION_SCHEMA, extractionMessages, parseExtraction } from './fact-extraction.js';
import { SessionSummarizer } from './session-summarizer.service.js';

export interface ConsolidationStatus {
  running: boolean;
  lastRun: number | undefined;
  processed: number;
  failures: number;
  summaries: number;
}

const BATCH = 8;
const MAX_ATTEMPTS = 3;
const EXTRACTION_TOKENS = 1024;
// Facts the model extracted are less certain than facts a user stated.
const EXTRACTED_CONFIDENCE = 0.6;

/**
 * Episodic → semantic consolidation in the background: episodes queued for extraction (the table itself is the
 * queue, so it survives restarts) get one grammar-constrained LLM pass each; their facts are learned with the
 * episode as provenance, then the episode is marked done. A crash between the two re-runs the pass, and learning
 * the same fact from the same episode again only reinforces it: nothing is lost or duplicated. It yields to
 * foreground work: a batch stops as soon as the engine has a request of a caller running or waiting.
 */
@Injectable()
export class ConsolidationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Consolidation');
  private readonly shutdown = new AbortController();
  private readonly attempts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private decayTimer: NodeJS.Timeout | undefined;
  private current: Promise<number> | undefined;
  private readonly stats: Omit<ConsolidationStatus, 'summaries'> = {
    running: false,
    lastRun: undefined,
    processed: 0,
    failures: 0,
  };

  constructor(
    private readonly episodic: EpisodicMemoryService,
    private readonly semantic: SemanticMemoryService,
    private readonly engine: LlmEngine,
    private readonly config: AppConfig,
    private readonly events: MemoryEventBus,
    private readonly summarizer: SessionSummarizer,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.memory.consolidation.intervalMs;
    if (every > 0) {
      this.timer = setInterval(() => void this.runOnce().catch(() => undefined), every);
      this.timer.unref();
    }
    const decayEvery = this.config.memory.decay.intervalMs;
    if (decayEvery > 0 && this.config.memory.decay.action !== 'off') {
      this.decayTimer = setInterval(
        () => void this.decay().catch((e: Error) => this.logger.warn(`Decay failed: ${e.message}`)),
        decayEvery,
      );
      this.decayTimer.unref();
    }
  }

  /**
   * Archives or forgets episodes that decayed below the threshold; a forgotten episode takes the facts only it
   * had taught with it, as `forget` does. Answers how many episodes were acted on.
   */
  async decay(now = Date.now()): Promise<number> {
    const decayed = await this.episodic.decay(now);
    if (this.config.memory.decay.action === 'forget') {
      const byTenant = new Map<string, string[]>();
      for (const e of decayed) byTenant.set(e.tenant, [...(byTenant.get(e.tenant) ?? []), e.id]);
      for (const [tenant, ids] of byTenant) {
        await this.semantic.forgetEpisodes(ids, {
          tenant,
          signal: this.shutdown.signal,
          trace: ROOT_CONTEXT,
        });
      }
    }
    if (decayed.length)
      this.logger.log(`Decay: ${this.config.memory.decay.action} ${decayed.length} episode(s)`);
    return decayed.length;
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.decayTimer);
    this.shutdown.abort();
    await this.current?.catch(() => undefined);
  }

  status(): ConsolidationStatus {
    return {
      ...this.stats,
      failures: this.stats.failures + this.summarizer.failures,
      summaries: this.summarizer.written,
    };
  }

  pending(ctx: CallContext): Promise<number> {
    return this.episodic.pendingCount(ctx);
  }

  /** The caller's sessions waiting to be looked at for a summary. */
  pendingSummaries(ctx: CallContext): number {
    return this.summarizer.pendingFor(ctx.tenant);
  }

  /**
   * One run: overflowed sessions are summarized, then a batch of episodes is consolidated; answers how many
   * episodes it consolidated. Concurrent calls share the run under way.
   */
  runOnce(): Promise<number> {
    this.current ??= this.run().finally(() => (this.current = undefined));
    return this.current;
  }

  private async run(): Promise<number> {
    const stop = () => this.shutdown.signal.aborted || this.busy();
    // Summaries first: the next ask of a long session reads one, while extracted facts can wait.
    if (this.summarizer.pending > 0)
      await this.running(() => this.summarizer.runOnce(stop, this.shutdown.signal));
    const episodes = await this.episodic.pendingConsolidation(BATCH);
    if (episodes.length === 0) return 0;
    return this.running(async () => {
      let done = 0;
      for (const episode of episodes) {
        if (stop()) break;
        if (await this.consolidate(episode)) done++;
      }
      this.stats.processed += done;
      return done;
    });
  }

  private async running<T>(fn: () => Promise<T>): Promise<T> {
    this.stats.running = true;
    try {
      return await fn();
    } finally {
      this.stats.running = false;
      this.stats.lastRun = Date.now();
    }
  }

  private busy(): boolean {
    const { active, queued } = this.engine.stats();
    return active + queued > 0;
  }

  private async consolidate(episode: EpisodeRecord): Promise<boolean> {
    const ctx: CallContext = { tenant: episode.tenant, signal: this.shutdown.signal, trace: ROOT_CONTEXT };
    try {
      const learned = await withSpan(
        'consolidation.extract',
        ROOT_CONTEXT,
        { 'mneme.episode.chars': episode.text.length },
        async (span, trace) => {
          const result = await generateToEnd(
            this.engine,
            {
              messages: extractionMessages(episode.text),
              jsonSchema: EXTRACTION_SCHEMA,
              maxTokens: EXTRACTION_TOKENS,
              temperature: 0,
              sessionId: episode.sessionId,
            },
            { ...ctx, trace },
          );
          const facts = parseExtraction(result.text);
          span.setAttribute('mneme.facts', facts.length);
          for (const fact of facts) {
            await this.semantic.learn(
              {
                ...fact,
                validFrom: episode.createdAt,
                confidence: EXTRACTED_CONFIDENCE,
                episodes: [episode.id],
              },
              { ...ctx, trace },
            );
          }
          return facts.length;
        },
      );
      await this.episodic.markConsolidation(episode.tenant, [episode.id], Date.now());
      this.events.publish(episode.tenant, {
        kind: 'episode-consolidated',
        at: Date.now(),
        episodeId: episode.id,
        facts: learned,
      });
      this.attempts.delete(episode.id);
      return true;
    } catch (error) {
      if (this.shutdown.signal.aborted) return false;
      this.stats.failures++;
      const attempts = (this.attempts.get(episode.id) ?? 0) + 1;
      this.attempts.set(episode.id, attempts);
      this.logger.warn(
        `Extracting facts from episode ${episode.id} failed (${attempts}/${MAX_ATTEMPTS}): ${(error as Error).message}`,
      );
      if (attempts >= MAX_ATTEMPTS) {
        this.attempts.delete(episode.id);
        await this.episodic.markConsolidation(episode.tenant, [episode.id], CONSOLIDATION.FAILED);
      }
      return false;
    }
  }
}
