import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { AppConfig } from '../../../config/app-config.js';
import { memorySpan } from '../memory-span.js';
import { windowByTokens } from './token-window.js';
import {
  WorkingMemoryStore,
  type SessionKey,
  type Turn,
  type TurnInput,
  type TurnRevision,
} from './working-memory.store.js';

/** The working-memory tier as the rest of the server uses it: traced, windowed, always tenant-keyed. */
@Injectable()
export class WorkingMemoryService implements OnApplicationShutdown {
  constructor(
    private readonly store: WorkingMemoryStore,
    private readonly config: AppConfig,
  ) {}

  get backend(): string {
    return this.store.backend;
  }

  /** The most recent turns of the session that fit `budget` tokens (with per-turn overhead), oldest first. */
  window(sessionId: string, budget: number, ctx: CallContext, perTurnOverhead = 0): Promise<Turn[]> {
    const key = keyOf(sessionId, ctx);
    return this.traced('window', ctx, async () =>
      windowByTokens(
        await this.store.recent(key, this.config.memory.working.maxTurns),
        budget,
        perTurnOverhead,
        this.config.memory.working.slideTurns,
      ),
    );
  }

  append(sessionId: string, turns: TurnInput[], ctx: CallContext): Promise<Turn[]> {
    return this.traced('append', ctx, () => this.store.append(keyOf(sessionId, ctx), turns));
  }

  forgetTurn(sessionId: string, id: string, ctx: CallContext): Promise<number> {
    return this.traced(
      'forget',
      ctx,
      () => this.store.forgetTurn(keyOf(sessionId, ctx), id),
      (n) => n,
    );
  }

  /** New words for a turn still in the session's window (an edited episode); 0 when it is not there. */
  reviseTurn(sessionId: string, id: string, revision: TurnRevision, ctx: CallContext): Promise<number> {
    return this.traced(
      'revise',
      ctx,
      () => this.store.reviseTurn(keyOf(sessionId, ctx), id, revision),
      (n) => n,
    );
  }

  forgetSession(sessionId: string, ctx: CallContext): Promise<number> {
    return this.traced(
      'forget',
      ctx,
      () => this.store.forgetSession(keyOf(sessionId, ctx)),
      (n) => n,
    );
  }

  forgetTenant(ctx: CallContext): Promise<number> {
    return this.traced(
      'forget',
      ctx,
      () => this.store.forgetTenant(ctx.tenant),
      (n) => n,
    );
  }

  ping(): Promise<void> {
    return this.store.ping();
  }

  /** After the HTTP server has closed (in-flight asks have remembered their exchange), not before. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }

  private traced<T>(
    operation: string,
    ctx: CallContext,
    fn: () => Promise<T>,
    count: (result: T) => number = (r) => (Array.isArray(r) ? r.length : 1),
  ): Promise<T> {
    return memorySpan('working', operation, this.store.backend, ctx, fn, count);
  }
}

function keyOf(sessionId: string, ctx: CallContext): SessionKey {
  return { tenant: ctx.tenant, sessionId };
}
