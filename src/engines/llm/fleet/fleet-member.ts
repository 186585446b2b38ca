import type { MeteredEngine } from '../metered-engine.js';
import type { ModelInfo } from '../llm-engine.js';
import type { ModelSpec } from '../model-locator.js';
import { ModelUsage } from './model-usage.js';

/** One served model in the fleet: its engine, what holds it loaded, and its record of use. */
export class FleetMember {
  readonly usage = new ModelUsage();
  inFlight = 0;
  lastUsedAt = 0;
  loadedAt: number | undefined;
  loadMs: number | undefined;
  estimateBytes: number | undefined;
  /** Chosen to make room: requests arriving now wait for a fresh load instead of using it. */
  evicting = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly spec: ModelSpec,
    readonly engine: MeteredEngine,
    public keepAliveMs: number,
  ) {}

  /** The configured name; a remote known by what it lists takes that name once it has listed it. */
  get name(): string {
    const info = this.engine.models()[0];
    return this.spec.listedName && info?.state === 'ready' ? info.name : this.spec.name;
  }

  answersTo(requested: string): boolean {
    return requested === this.spec.name || requested === this.name;
  }

  get info(): ModelInfo {
    return this.engine.models()[0]!;
  }

  get loaded(): boolean {
    return this.info.state === 'ready' && !this.evicting;
  }

  /** Counts a request in until the returned release; an idle model starts its keep-alive countdown. */
  begin(onIdle: (member: FleetMember) => void): () => void {
    this.inFlight++;
    clearTimeout(this.idleTimer);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.lastUsedAt = Date.now();
      if (this.inFlight === 0 && this.keepAliveMs >= 0)
        this.idleTimer = setTimeout(() => onIdle(this), this.keepAliveMs).unref();
    };
  }

  stopTimer(): void {
    clearTimeout(this.idleTimer);
  }
}
