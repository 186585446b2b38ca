import { Logger } from '@nestjs/common';
import { inScope, sameSession, sharedPrefix, type CacheOwner, type CacheScope } from './cache-owner.js';
import { recordPromptTokens, recordStateEvent } from './prompt-cache-meter.js';
import { RestoreCost } from './restore-cost.js';
import type { StateStore } from './state-store.js';

/** What the cache needs of one context sequence; the llama.cpp adapter implements it. */
export interface CacheableSequence {
  /** The tokens whose evaluation the sequence holds. */
  tokens(): readonly number[];
  /** Erases every token from index `count` on. */
  keepOnly(count: number): Promise<void>;
  /** Writes the sequence's state to a file; answers its size in bytes. */
  save(file: string): Promise<number>;
  /** Replaces the sequence's state with a saved one. */
  restore(file: string): Promise<void>;
  /** Evaluates `tokens` into the (empty) sequence without generating. */
  prefill(tokens: readonly number[]): Promise<void>;
}

/** A sequence held by one generation, and how much of its prompt was already evaluated. */
export interface Lease<S extends CacheableSequence> {
  readonly sequence: S;
  /** Prompt tokens not evaluated again (kept in the sequence or restored from disk). */
  readonly cachedTokens: number;
  /** Of those, restored from a saved state. */
  readonly restoredTokens: number;
  /** Of those, evaluated for this very request by `warm` (while its memory was recalled): not a cache hit. */
  readonly prefilledTokens: number;
}

interface Slot<S extends CacheableSequence> {
  sequence: S;
  /** Whose tokens the sequence holds. */
  owner: CacheOwner | undefined;
  /** Whose request is taking the sequence (while a lease is being granted). */
  incoming: CacheOwner | undefined;
  lastUsed: number;
  busy: boolean;
  /** Forgotten while in use: erased when released. */
  forgotten: boolean;
  /** The tokens `warm` evaluated last, for whom: the next lease of that owner counts them as its own work. */
  warmed: { owner: CacheOwner; from: number; to: number } | undefined;
}

// A state with fewer tokens of its own than this is cheaper to evaluate again than to save and load.
const MIN_STATE_TOKENS = 32;

/**
 * The prompt cache over a context's sequences. Sequences keep their tokens after a request; the next request
 * takes the free sequence sharing the longest prefix with its prompt and only the rest is evaluated. Tenants are walls: tokens of another tenant are reused only as far as the server's
 * own system prompt (`publicTokens`) goes. When a request takes a sequence holding another session's state,
 * that state is saved to the store first, and restored on that session's next turn when loading is cheaper
 * than evaluating.
 */
export class PromptCache<S extends CacheableSequence> {
  private readonly logger = new Logger('PromptCache');
  private readonly slots: Slot<S>[];
  private readonly cost = new RestoreCost();

  constructor(
    sequences: readonly S[],
    private readonly publicTokens: readonly number[],
    private readonly store: StateStore,
    private readonly enabled: boolean,
  ) {
    this.slots = sequences.map((sequence) => ({
      sequence,
      owner: undefined,
      incoming: undefined,
      lastUsed: 0,
      busy: false,
      forgotten: false,
      warmed: undefined,
    }));
  }

  /**
   * Evaluates the server's system prompt into every sequence once, at load: a session's first turn then
   * evaluates only its own words, like every later one.
   */
  async prime(): Promise<void> {
    if (!this.enabled || this.publicTokens.length === 0) return;
    for (const slot of this.slots)
      if (slot.sequence.tokens().length === 0) await slot.sequence.prefill(this.publicTokens);
  }

  /** Takes a free sequence for `prompt` (the caller holds a generation slot, so one is free). */
  async lease(prompt: readonly number[], owner: CacheOwner, metered = true): Promise<Lease<S>> {
    const { slot, reuse } = this.choose(prompt, owner);
    const warmed = slot.warmed;
    slot.warmed = undefined;
    const prefilled = (cached: number) =>
      warmed && sameSession(warmed.owner, owner) ? Math.max(0, Math.min(cached, warmed.to) - warmed.from) : 0;
    slot.busy = true;
    slot.incoming = owner;
    try {
      if (!this.enabled) {
        await slot.sequence.keepOnly(0);
        return this.granted(slot, owner, prompt, { cached: 0, restored: 0, prefilled: 0 }, metered);
      }
      await this.saveIfLeaving(slot, owner, reuse);
      const restored = await this.restoreIfCheaper(slot, prompt, owner, reuse);
      if (restored > 0)
        return this.granted(slot, owner, prompt, { cached: restored, restored, prefilled: 0 }, metered);
      await slot.sequence.keepOnly(reuse);
      const reused = { cached: reuse, restored: 0, prefilled: prefilled(reuse) };
      return this.granted(slot, owner, prompt, reused, metered);
    } catch (error) {
      slot.incoming = undefined;
      slot.forgotten = true;
      await this.release(slot.sequence);
      throw error;
    }
  }

  /**
   * Evaluates `tokens` (the start of a coming prompt of `owner`) into the sequence that prompt will lease: its own
   * session's, restored if cheaper, else a free one. The caller holds a generation slot until this resolves.
   */
  async warm(tokens: readonly number[], owner: CacheOwner): Promise<void> {
    if (!this.enabled) return;
    const lease = await this.lease(tokens, owner, false);
    const started = performance.now();
    const rest = tokens.slice(lease.cachedTokens);
    try {
      await lease.sequence.prefill(rest);
      this.slotOf(lease.sequence).warmed = { owner, from: lease.cachedTokens, to: tokens.length };
    } catch (error) {
      this.slotOf(lease.sequence).forgotten = true; // what it holds is no longer known
      throw error;
    } finally {
      await this.release(lease.sequence, { tokens: rest.length, ms: performance.now() - started });
    }
  }

  /**
   * Gives the sequence back, keeping its tokens for the next request (unless they were forgotten meanwhile).
   * `evaluation` is how long the prompt's uncached tokens took, which tells restores whether they pay.
   */
  async release(sequence: S, evaluation?: { tokens: number; ms: number }): Promise<void> {
    const slot = this.slotOf(sequence);
    if (evaluation) this.cost.observeEvaluation(evaluation.tokens, evaluation.ms);
    try {
      if (slot.forgotten || !this.enabled) await this.erase(slot);
    } finally {
      slot.busy = false;
      slot.lastUsed = performance.now();
    }
  }

  /**
   * Drops the tokens and saved states of a tenant or a session; answers how many states went. Sequences in use
   * are marked first (synchronously), so a save already under way for them is skipped when its turn comes.
   */
  async forget(scope: CacheScope): Promise<number> {
    const held = this.slots.filter((s) => inScope(s.owner, scope) || inScope(s.incoming, scope));
    for (const slot of held) slot.forgotten = true;
    for (const slot of held.filter((s) => !s.busy)) {
      slot.busy = true;
      await this.erase(slot).finally(() => (slot.busy = false));
    }
    return held.length + (await this.store.remove(scope));
  }

  /**
   * The free slot to use: the one holding the most of this prompt past the public prefix (its own session);
   * failing that a vacant one (nothing to evict), the one holding the system prompt first; failing that the
   * least recently used, whose state is saved before it is overwritten.
   */
  private choose(prompt: readonly number[], owner: CacheOwner): { slot: Slot<S>; reuse: number } {
    // At least the last prompt token is evaluated: generation starts from its logits.
    const cap = Math.max(0, prompt.length - 1);
    const publicPart = sharedPrefix(this.publicTokens, prompt);
    const ranked = this.slots
      .filter((slot) => !slot.busy)
      .map((slot) => {
        const shared = sharedPrefix(slot.sequence.tokens(), prompt);
        const allowed = slot.owner?.tenant === owner.tenant ? shared : Math.min(shared, publicPart);
        const reuse = Math.min(allowed, cap);
        const rank = [reuse > publicPart ? reuse : 0, slot.owner ? 0 : 1, reuse, -slot.lastUsed];
        return { slot, reuse, rank };
      })
      .sort((x, y) => compareRanks(y.rank, x.rank));
    const best = ranked[0];
    if (!best) throw new Error('No free sequence: the caller must hold a generation slot');
    return best;
  }

  /** Saves the state a slot holds before another session's request overwrites most of it. */
  private async saveIfLeaving(slot: Slot<S>, owner: CacheOwner, reuse: number): Promise<void> {
    const held = slot.sequence.tokens();
    const own = held.length - sharedPrefix(held, this.publicTokens);
    const leaving = !sameSession(slot.owner, owner) || reuse <= held.length - own;
    if (
      !this.store.enabled ||
      !slot.owner ||
      !leaving ||
      own < MIN_STATE_TOKENS ||
      held.length - reuse < MIN_STATE_TOKENS
    )
      return;
    const started = performance.now();
    try {
      const saved = await this.store.save(
        slot.owner,
        held,
        (file) => slot.sequence.save(file),
        () => !slot.forgotten,
      );
      if (saved) recordStateEvent('saved', saved.bytes, performance.now() - started);
    } catch (error) {
      this.logger.warn(`Could not save a sequence state: ${(error as Error).message}`);
    }
  }

  /** Loads the owner's saved state when it covers more of the prompt and loading beats evaluating. */
  private async restoreIfCheaper(
    slot: Slot<S>,
    prompt: readonly number[],
    owner: CacheOwner,
    reuse: number,
  ): Promise<number> {
    const found = this.store.enabled ? this.store.best(owner.tenant, prompt) : undefined;
    if (!found) return 0;
    const matched = Math.min(found.matched, prompt.length - 1);
    const gain = matched - reuse;
    if (gain < MIN_STATE_TOKENS || !this.cost.loadIsCheaper(found.state.bytes, gain)) return 0;
    const started = performance.now();
    try {
      const loaded = await this.store.load(found.state, (file) => slot.sequence.restore(file));
      if (!loaded) return 0;
      if (sharedPrefix(slot.sequence.tokens(), found.state.tokens) !== found.state.tokens.length)
        throw new Error('the loaded tokens differ from the saved ones');
    } catch (error) {
      this.logger.warn(`Discarding a saved sequence state that did not load: ${(error as Error).message}`);
      await this.store.discard(found.state);
      await slot.sequence.keepOnly(0);
      slot.owner = undefined;
      return 0;
    }
    const ms = performance.now() - started;
    this.cost.observeLoad(found.state.bytes, ms);
    recordStateEvent('restored', found.state.bytes, ms);
    await slot.sequence.keepOnly(matched);
    return matched;
  }

  private granted(
    slot: Slot<S>,
    owner: CacheOwner,
    prompt: readonly number[],
    { cached, restored, prefilled }: { cached: number; restored: number; prefilled: number },
    metered: boolean,
  ): Lease<S> {
    slot.owner = owner;
    slot.incoming = undefined;
    // Prefilled tokens were evaluated for this prompt: the hit ratio counts them as evaluated, not cached.
    if (metered) recordPromptTokens(prompt.length, cached - prefilled, restored);
    return {
      sequence: slot.sequence,
      cachedTokens: cached,
      restoredTokens: restored,
      prefilledTokens: prefilled,
    };
  }

  /** Keeps only the public prefix (the server's system prompt), which belongs to no one. */
  private async erase(slot: Slot<S>): Promise<void> {
    const held = slot.sequence.tokens();
    slot.owner = undefined;
    slot.warmed = undefined;
    slot.forgotten = false;
    await slot.sequence.keepOnly(this.enabled ? sharedPrefix(held, this.publicTokens) : 0);
  }

  private slotOf(sequence: S): Slot<S> {
    const slot = this.slots.find((s) => s.sequence === sequence);
    if (!slot) throw new Error('Not a sequence of this cache');
    return slot;
  }
}

/** Orders rank tuples lexicographically. */
function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
