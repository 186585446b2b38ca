import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { EpisodicMemoryService } from './episodic/episodic-memory.service.js';
import { EmbeddingModule } from '../embedding/embedding.module.js';
import { FusionModule } from '../fusion/fusion.module.js';
import { MemoryResolver } from './memory.resolver.js';
import { MemoryService } from './memory.service.js';
import { InProcessWorkingMemoryStore } from './working/in-process-working-memory.store.js';
import { RedisWorkingMemoryStore } from './working/redis-working-memory.store.js';
import { WorkingMemoryService } from './working/working-memory.service.js';
import { WorkingMemoryStore } from './working/working-memory.store.js';

/** Picks the working-memory backend: Redis when MNEME_REDIS_URL is set, this process otherwise. */
async function workingMemoryStore(config: AppConfig): Promise<WorkingMemoryStore> {
  const { redisUrl, redisTimeoutMs, ttlMs, maxTurns } = config.memory.working;
  if (!redisUrl) return new InProcessWorkingMemoryStore({ ttlMs, maxTurns });
  const logger = new Logger('WorkingMemory');
  let down = false;
  const store = new RedisWorkingMemoryStore(
    { ttlMs, maxTurns },
    {
      url: redisUrl,
      timeoutMs: redisTimeoutMs,
      // One line per outage, not one per reconnect attempt.
      onError: (error) => {
        if (!down) logger.warn(`Redis unreachable (${error.message}); reconnecting in the background`);
        down = true;
      },
      onReady: () => {
        if (down) logger.log('Redis reachable again');
        down = false;
      },
    },
  );
  // A Redis that is down at boot must not stop the server: requests get STORE_UNAVAILABLE until it is back.
  if (await store.ready(3000)) logger.log(`Working memory in Redis (${new URL(redisUrl).host})`);
  return store;
}

@Module({
  imports: [EmbeddingModule, FusionModule],
  providers: [
    { provide: WorkingMemoryStore, inject: [AppConfig], useFactory: workingMemoryStore },
    WorkingMemoryService,
    EpisodicMemoryService,
    MemoryService,
    MemoryResolver,
  ],
  exports: [MemoryService],
})
export class MemoryModule {}
