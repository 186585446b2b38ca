import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { inScope, sharedPrefix, type CacheOwner, type CacheScope } from './cache-owner.js';

/** One sequence state on disk, with the tokens it holds and whose they are. */
export interface SavedState {
  id: string;
  owner: CacheOwner;
  tokens: readonly number[];
  bytes: number;
  lastUsed: number;
  file: string;
}

interface Sidecar {
  model: string;
  owner: CacheOwner;
  tokens: number[];
  bytes: number;
}

/**
 * Sequence states saved to disk, under a byte budget (least recently used out first). A model's states live in
 * a folder named after the model's identity and are never looked up under another; each tenant has its own
 * folder, and a lookup only ever sees the asking tenant's states. A state is a `.state` file written by the
 * engine plus a `.json` sidecar (model, owner, tokens), written last: a state without its sidecar is garbage.
 */
export class StateStore {
  private readonly states = new Map<string, SavedState>();
  private readonly root: string;
  // Saves, loads and deletions run one at a time: a forget never interleaves with a save or load of its states.
  private queue: Promise<unknown> = Promise.resolve();
  private clock = 0;

  constructor(
    dir: string,
    private readonly model: string,
    private readonly budgetBytes: number,
  ) {
    this.root = path.join(dir, model);
  }

  get enabled(): boolean {
    return this.budgetBytes > 0;
  }

  get bytes(): number {
    let total = 0;
    for (const state of this.states.values()) total += state.bytes;
    return total;
  }

  get size(): number {
    return this.states.size;
  }

  /** Reads what an earlier run saved; sidecars of another model, broken ones and orphan files are deleted. */
  async open(): Promise<void> {
    if (!this.enabled) return;
    await mkdir(this.root, { recursive: true });
    for (const tenantDir of await readdir(this.root)) {
      const folder = path.join(this.root, tenantDir);
      const names = await readdir(folder).catch(() => []);
      const ids = new Set(names.map((n) => n.replace(/\.(state|json)$/, '')));
      for (const id of ids) {
        const state = await this.readSidecar(folder, id, tenantDir);
        if (state) this.states.set(id, state);
        else await removeFiles(path.join(folder, id));
      }
    }
    await this.evict();
  }

  /** The caller's saved state sharing the longest prefix with `prompt`, with that prefix's length. */
  best(tenant: string, prompt: readonly number[]): { state: SavedState; matched: number } | undefined {
    let found: { state: SavedState; matched: number } | undefined;
    for (const state of this.states.values()) {
      if (state.owner.tenant !== tenant) continue;
      const matched = sharedPrefix(state.tokens, prompt);
      if (!found || matched > found.matched) found = { state, matched };
    }
    return found;
  }

  /**
   * Saves a state through `write` (which writes the `.state` file and answers its size), unless `wanted()` says
   * no once the store's turn comes (it was forgotten meanwhile). It replaces the session's earlier state, and
   * any of the tenant's whose tokens it extends; the oldest states go when over budget.
   */
  save(
    owner: CacheOwner,
    tokens: readonly number[],
    write: (file: string) => Promise<number>,
    wanted: () => boolean,
  ): Promise<SavedState | undefined> {
    if (!this.enabled) return Promise.resolve(undefined);
    return this.locked(async () => {
      if (!wanted()) return undefined;
      const state = await this.write(owner, tokens, write);
      for (const old of [...this.states.values()]) if (supersedes(owner, tokens, old)) await this.drop(old);
      this.states.set(state.id, state);
      await this.evict();
      return state;
    });
  }

  /** Runs `read` on a state's file if the state still exists when the store's turn comes; answers whether it did. */
  load(state: SavedState, read: (file: string) => Promise<void>): Promise<boolean> {
    return this.locked(async () => {
      if (!this.states.has(state.id)) return false;
      await read(state.file);
      state.lastUsed = this.tick();
      const now = new Date(state.lastUsed);
      // The sidecar's time carries "recently used" over a restart.
      await utimes(sidecarOf(state), now, now).catch(() => undefined);
      return true;
    });
  }

  /** Deletes the states in scope (a tenant's, or one session's); answers how many. */
  remove(scope: CacheScope): Promise<number> {
    return this.locked(async () => {
      const doomed = [...this.states.values()].filter((s) => inScope(s.owner, scope));
      for (const state of doomed) await this.drop(state);
      return doomed.length;
    });
  }

  /** Deletes one state (it failed to load). */
  discard(state: SavedState): Promise<void> {
    return this.locked(() => this.drop(state));
  }

  private async write(
    owner: CacheOwner,
    tokens: readonly number[],
    write: (file: string) => Promise<number>,
  ): Promise<SavedState> {
    const folder = path.join(this.root, tenantFolder(owner.tenant));
    await mkdir(folder, { recursive: true });
    const id = randomUUID();
    const base = path.join(folder, id);
    try {
      const bytes = await write(`${base}.state`);
      if (bytes > this.budgetBytes) throw new Error(`a ${bytes}-byte state is larger than the whole budget`);
      const sidecar: Sidecar = { model: this.model, owner, tokens: [...tokens], bytes };
      await writeFile(`${base}.json`, JSON.stringify(sidecar));
      return { id, owner, tokens: [...tokens], bytes, lastUsed: this.tick(), file: `${base}.state` };
    } catch (error) {
      await removeFiles(base);
      throw error;
    }
  }

  /** Now, but strictly after every earlier use: two uses in one millisecond still have an order. */
  private tick(): number {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return this.clock;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evict(): Promise<void> {
    const oldestFirst = [...this.states.values()].sort((a, b) => a.lastUsed - b.lastUsed);
    let total = this.bytes;
    for (const state of oldestFirst) {
      if (total <= this.budgetBytes) break;
      total -= state.bytes;
      await this.drop(state);
    }
  }

  private async drop(state: SavedState): Promise<void> {
    this.states.delete(state.id);
    await removeFiles(state.file.replace(/\.state$/, ''));
  }

  private async readSidecar(folder: string, id: string, tenantDir: string): Promise<SavedState | undefined> {
    const base = path.join(folder, id);
    try {
      const sidecar = JSON.parse(await readFile(`${base}.json`, 'utf8')) as Sidecar;
      const { size } = await stat(`${base}.state`);
      const { mtimeMs } = await stat(`${base}.json`);
      const valid =
        sidecar.model === this.model &&
        tenantFolder(sidecar.owner.tenant) === tenantDir &&
        size === sidecar.bytes &&
        Array.isArray(sidecar.tokens);
      if (!valid) return undefined;
      return {
        id,
        owner: sidecar.owner,
        tokens: sidecar.tokens,
        bytes: size,
        lastUsed: mtimeMs,
        file: `${base}.state`,
      };
    } catch {
      return undefined;
    }
  }
}

/** A tenant's folder: a hash, so any tenant name is a safe file name and names are not on disk in clear. */
/** A session's newer state replaces its older one (the next turn continues the newer); so does an extension. */
function supersedes(owner: CacheOwner, tokens: readonly number[], old: SavedState): boolean {
  if (old.owner.tenant !== owner.tenant) return false;
  if (owner.sessionId !== undefined && old.owner.sessionId === owner.sessionId) return true;
  return sharedPrefix(old.tokens, tokens) === old.tokens.length;
}

function sidecarOf(state: SavedState): string {
  return state.file.replace(/\.state$/, '.json');
}

function tenantFolder(tenant: string): string {
  return createHash('sha256').update(tenant).digest('hex').slice(0, 32);
}

async function removeFiles(base: string): Promise<void> {
  await Promise.all([rm(`${base}.state`, { force: true }), rm(`${base}.json`, { force: true })]);
}
