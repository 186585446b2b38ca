import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import type { SpaceStatus } from '../episodic/episode-reembedder.js';
import { EpisodicMemoryService } from '../episodic/episodic-memory.service.js';

/** Where a re-embed stands: the table's status plus the job's. */
export interface ReembedProgress extends SpaceStatus {
  job: 'idle' | 'running' | 'failed';
  /** Episodes re-embedded by this process's current (or last) run, and its pace. */
  reembedded: number;
  perSecond: number;
  startedAt: number | null;
  error: string | null;
}

/**
 * The background re-embed after a text-embedder change (`mneme reembed`): one run at a time, batch after batch
 * until the table is in the new space; requests are served all along. Progress is kept in the table, so a run
 * that stops (shutdown, crash, kill) is continued by the next start.
 */
@Injectable()
export class ReembedJob implements OnApplicationShutdown {
  private readonly logger = new Logger('Reembed');
  private running: Promise<void> | undefined;
  private stopping = false;
  private run = { reembedded: 0, startedAt: 0, endedAt: 0, error: undefined as string | undefined };

  constructor(
    private readonly episodic: EpisodicMemoryService,
    private readonly config: AppConfig,
  ) {}

  /** Recall by meaning covers only the episodes re-embedded so far. */
  get degraded(): boolean {
    return this.episodic.vectorSpace.degraded;
  }

  /** Starts a run unless one is under way; answers where things stand. */
  async start(): Promise<ReembedProgress> {
    if (!this.running && !this.stopping) {
      this.run = { reembedded: 0, startedAt: Date.now(), endedAt: 0, error: undefined };
      this.running = this.loop().finally(() => (this.running = undefined));
    }
    return this.progress();
  }

  async progress(): Promise<ReembedProgress> {
    const status = await this.episodic.vectorSpace.status();
    const { reembedded, startedAt, endedAt, error } = this.run;
    const seconds = ((endedAt || Date.now()) - startedAt) / 1000;
    return {
      ...status,
      job: this.running ? 'running' : error ? 'failed' : 'idle',
      reembedded,
      perSecond: startedAt && seconds > 0 ? Math.round((reembedded / seconds) * 10) / 10 : 0,
      startedAt: startedAt || null,
      error: error ?? null,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true; // the batch under way commits; the next start continues after it
    await this.running;
  }

  private async loop(): Promise<void> {
    const space = this.episodic.vectorSpace;
    const batch = this.config.memory.episodic.reembedBatch;
    try {
      await space.run(
        batch,
        () => this.stopping,
        (done) => (this.run.reembedded += done),
      );
      this.logger.log(`Re-embedded ${this.run.reembedded} episodes in ${this.elapsed()}`);
    } catch (error) {
      this.run.error = error instanceof Error ? error.message : String(error);
      this.logger.error(`Re-embedding stopped (run it again to continue): ${this.run.error}`);
    } finally {
      this.run.endedAt = Date.now();
    }
  }

  private elapsed(): string {
    return `${((Date.now() - this.run.startedAt) / 1000).toFixed(1)} s`;
  }
}
