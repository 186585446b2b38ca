import { Injectable } from '@nestjs/common';
import { AsyncChannel } from '../../common/async-channel.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { FactView } from './semantic/graph-store.js';

export type MemoryEvent =
  | { kind: 'fact-added'; at: number; fact: FactView }
  | { kind: 'fact-retired'; at: number; fact: FactView }
  | { kind: 'episode-consolidated'; at: number; episodeId: string; facts: number }
  | { kind: 'session-summarized'; at: number; episodeId: string; sessionId: string; turns: number };

/** Events a subscriber may fall behind by before its stream is ended (it can resubscribe). */
const MAX_BEHIND = 256;

/**
 * What memory learned, retired and consolidated, as it happens, to each tenant's own subscribers only. In
 * process: with several server processes each one publishes what it did itself.
 */
@Injectable()
export class MemoryEventBus {
  private readonly subscribers = new Map<string, Set<AsyncChannel<MemoryEvent>>>();

  publish(tenant: string, event: MemoryEvent): void {
    for (const channel of this.subscribers.get(tenant) ?? []) {
      if (channel.buffered >= MAX_BEHIND) {
        channel.fail(
          new MnemeError(
            ErrorCode.OVERLOADED,
            `This memoryEvents subscription fell ${MAX_BEHIND} events behind and was ended; subscribe again.`,
            { retryAfterSeconds: 1 },
          ),
        );
        this.remove(tenant, channel);
      } else channel.push(event);
    }
  }

  subscribe(tenant: string): AsyncIterableIterator<MemoryEvent> {
    const channel: AsyncChannel<MemoryEvent> = new AsyncChannel(() => this.remove(tenant, channel));
    const set = this.subscribers.get(tenant) ?? new Set();
    set.add(channel);
    this.subscribers.set(tenant, set);
    return channel;
  }

  /** Subscribers of a tenant (for tests and status). */
  count(tenant: string): number {
    return this.subscribers.get(tenant)?.size ?? 0;
  }

  private remove(tenant: string, channel: AsyncChannel<MemoryEvent>): void {
    const set = this.subscribers.get(tenant);
    set?.delete(channel);
    if (set?.size === 0) this.subscribers.delete(tenant);
  }
}
