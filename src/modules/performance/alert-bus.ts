import { Injectable } from '@nestjs/common';
import { AsyncChannel } from '../../common/async-channel.js';
import type { Alert } from '../../telemetry/slo/slo-tracker.js';

// Alerts are rare (one per start or clear of a condition); a subscriber this far behind is not reading.
const MAX_BEHIND = 64;

/** SLO alerts as they start and clear, to every subscriber (operator data: latencies, no tenant's content). */
@Injectable()
export class AlertBus {
  private readonly subscribers = new Set<AsyncChannel<Alert>>();

  publish(alert: Alert): void {
    for (const channel of this.subscribers) {
      if (channel.buffered >= MAX_BEHIND) {
        channel.close();
        this.subscribers.delete(channel);
      } else channel.push(alert);
    }
  }

  /** A stream that starts with `firing` (what is already wrong: a new subscriber must not miss it). */
  subscribe(firing: Alert[] = []): AsyncIterableIterator<Alert> {
    const channel: AsyncChannel<Alert> = new AsyncChannel(() => this.subscribers.delete(channel));
    for (const alert of firing) channel.push(alert);
    this.subscribers.add(channel);
    return channel;
  }
}
