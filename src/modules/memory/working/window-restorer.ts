import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { AppConfig } from '../../../config/app-config.js';
import { LlmEngine } from '../../../engines/llm/llm-engine.js';
import { EpisodicMemoryService } from '../episodic/episodic-memory.service.js';
import { WorkingMemoryService } from './working-memory.service.js';

// Sessions looked at since start; past this many, the oldest are forgotten (and may be looked at once more).
const MAX_TRACKED = 100_000;

/**
 * Brings a session's window back after a restart when working memory lives in this process (Redis keeps its
 * own): the first time a session is read after start and its window is empty, its newest turns (as many as
 * the working tier keeps) are taken from episodic memory, where every turn is also kept — unless its last turn
 * is older than the working tier's time-to-live (the window had expired). Once per session per process, so a
 * new session costs one lookup.
 */
@Injectable()
export class WindowRestorer {
  private readonly seen = new Set<string>();

  constructor(
    private readonly episodic: EpisodicMemoryService,
    private readonly working: WorkingMemoryService,
    private readonly engine: LlmEngine,
    private readonly config: AppConfig,
  ) {}

  /** True when it put turns back into the session's (empty) window. */
  async restore(sessionId: string, ctx: CallContext): Promise<boolean> {
    const { redisUrl, ttlMs, maxTurns } = this.config.memory.working;
    const key = `${ctx.tenant}\u0000${sessionId}`;
    if (redisUrl || this.seen.has(key)) return false;
    // Marked before any await: a second request of the same session does not restore the turns twice.
    this.track(key);
    const newestFirst = await this.episodic.latestTurns(sessionId, 0, maxTurns, ctx);
    // A window lives until `ttlMs` after its last turn: one whose last turn is older had expired anyway.
    if (newestFirst.length === 0 || newestFirst[0]!.createdAt < Date.now() - ttlMs) return false;
    const turns = newestFirst.reverse();
    const tokens = await Promise.all(turns.map((t) => this.engine.countTokens(t.text)));
    await this.working.append(
      sessionId,
      turns.map((t, i) => ({
        id: t.id,
        role: turnRole(t.role),
        text: t.text,
        tokens: tokens[i]!,
        createdAt: t.createdAt,
      })),
      ctx,
    );
    return true;
  }

  private track(key: string): void {
    if (this.seen.size >= MAX_TRACKED) this.seen.delete(this.seen.values().next().value!);
    this.seen.add(key);
  }
}

function turnRole(role: string): 'user' | 'assistant' {
  return role === 'assistant' ? 'assistant' : 'user';
}
