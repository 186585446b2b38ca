/** Who said a turn. */
export type TurnRole = 'user' | 'assistant';

/** One turn of a conversation as it is appended; its id is shared with the episode that records it. */
export interface TurnInput {
  id: string;
  role: TurnRole;
  text: string;
  /** Tokens of `text` under the serving model's tokenizer, counted once at append time. */
  tokens: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** A stored turn: `seq` is its position in the session, assigned atomically by the store. */
export interface Turn extends TurnInput {
  seq: number;
}

/** A turn's new words, counted under the serving model's tokenizer. */
export type TurnRevision = Pick<TurnInput, 'text' | 'tokens'>;

/** A (tenant, session) pair: every working-memory key has both, so no call can cross tenants. */
export interface SessionKey {
  tenant: string;
  sessionId: string;
}

/**
 * The port of the working-memory tier (docs/conventions.md rule 2: two real backends). Sessions expire
 * `ttlMs` after their last append; at most `maxTurns` recent turns are kept per session.
 */
export abstract class WorkingMemoryStore {
  /** Human-readable backend name for spans, `models`-style status and errors. */
  abstract readonly backend: 'in-process' | 'redis';
  /** Appends turns in order, atomically: concurrent appends never interleave inside one call or lose a turn. */
  abstract append(key: SessionKey, turns: TurnInput[]): Promise<Turn[]>;
  /** The last `limit` turns, oldest first. */
  abstract recent(key: SessionKey, limit: number): Promise<Turn[]>;
  /** Deletes the turn with this id from the session; answers how many were deleted (0 or 1). */
  abstract forgetTurn(key: SessionKey, id: string): Promise<number>;
  /** Rewrites the text (and token count) of the turn with this id; answers how many were changed (0 or 1). */
  abstract reviseTurn(key: SessionKey, id: string, revision: TurnRevision): Promise<number>;
  /** Deletes a whole session; answers how many turns it held. */
  abstract forgetSession(key: SessionKey): Promise<number>;
  /** Deletes every session of a tenant; answers how many turns they held. */
  abstract forgetTenant(tenant: string): Promise<number>;
  /** Throws STORE_UNAVAILABLE when the backend cannot answer now. */
  abstract ping(): Promise<void>;
  abstract close(): Promise<void>;
}

export interface WorkingMemoryLimits {
  ttlMs: number;
  maxTurns: number;
}
