import {
  WorkingMemoryStore,
  type SessionKey,
  type Turn,
  type TurnInput,
  type TurnRevision,
  type WorkingMemoryLimits,
} from './working-memory.store.js';

interface Session {
  turns: Turn[];
  nextSeq: number;
  expiresAt: number;
}

const SWEEP_MS = 60_000;

/**
 * Working memory in this process: the default for a single server. Every method runs to completion without
 * awaiting, so appends are atomic by construction. Lost on restart — use Redis when that matters.
 */
export class InProcessWorkingMemoryStore extends WorkingMemoryStore {
  readonly backend = 'in-process';
  private readonly tenants = new Map<string, Map<string, Session>>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly limits: WorkingMemoryLimits,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  append(key: SessionKey, turns: TurnInput[]): Promise<Turn[]> {
    const sessions = this.tenants.get(key.tenant) ?? new Map<string, Session>();
    this.tenants.set(key.tenant, sessions);
    const session = this.live(key) ?? { turns: [], nextSeq: 1, expiresAt: 0 };
    sessions.set(key.sessionId, session);
    const stored = turns.map((turn) => ({ ...turn, seq: session.nextSeq++ }));
    session.turns.push(...stored);
    if (session.turns.length > this.limits.maxTurns)
      session.turns.splice(0, session.turns.length - this.limits.maxTurns);
    session.expiresAt = this.now() + this.limits.ttlMs;
    return Promise.resolve(stored.map((turn) => ({ ...turn })));
  }

  recent(key: SessionKey, limit: number): Promise<Turn[]> {
    const turns = this.live(key)?.turns ?? [];
    return Promise.resolve(turns.slice(Math.max(0, turns.length - limit)).map((turn) => ({ ...turn })));
  }

  forgetTurn(key: SessionKey, id: string): Promise<number> {
    const session = this.live(key);
    const index = session ? session.turns.findIndex((turn) => turn.id === id) : -1;
    if (index >= 0) session!.turns.splice(index, 1);
    return Promise.resolve(index >= 0 ? 1 : 0);
  }

  reviseTurn(key: SessionKey, id: string, revision: TurnRevision): Promise<number> {
    const turn = this.live(key)?.turns.find((t) => t.id === id);
    if (turn) Object.assign(turn, { text: revision.text, tokens: revision.tokens });
    return Promise.resolve(turn ? 1 : 0);
  }

  forgetSession(key: SessionKey): Promise<number> {
    const count = this.live(key)?.turns.length ?? 0;
    this.tenants.get(key.tenant)?.delete(key.sessionId);
    return Promise.resolve(count);
  }

  forgetTenant(tenant: string): Promise<number> {
    let count = 0;
    for (const sessionId of this.tenants.get(tenant)?.keys() ?? []) {
      count += this.live({ tenant, sessionId })?.turns.length ?? 0;
    }
    this.tenants.delete(tenant);
    return Promise.resolve(count);
  }

  ping(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }

  /** The session if it exists and has not expired; an expired one is removed on the spot. */
  private live(key: SessionKey): Session | undefined {
    const sessions = this.tenants.get(key.tenant);
    const session = sessions?.get(key.sessionId);
    if (!session) return undefined;
    if (session.expiresAt > this.now()) return session;
    sessions!.delete(key.sessionId);
    return undefined;
  }

  private sweep(): void {
    const now = this.now();
    for (const [tenant, sessions] of this.tenants) {
      for (const [id, session] of sessions) if (session.expiresAt <= now) sessions.delete(id);
      if (sessions.size === 0) this.tenants.delete(tenant);
    }
  }
}
