import { Logger, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { EpisodicMemoryService } from './episodic/episodic-memory.service.js';
import { EmbeddingModule } from '../embedding/embedding.module.js';
import { ReembedController } from './reembed/reembed.controller.js';
import { ReembedJob } from './reembed/reembed-job.service.js';
import { MemoryArchiveController } from './archive/memory-archive.controller.js';
import { MemoryExport } from './archive/memory-export.service.js';
import { MemoryImport } from './archive/memory-import.service.js';
import { AuditTrail } from './audit-trail.service.js';
import { FactRevisionsResolver } from './fact-revisions.resolver.js';
import { Forgetting } from './forgetting.service.js';
import { MemoryResolver } from './memory.resolver.js';
import { FactRevisions } from './semantic/fact-revisions.service.js';
import { ConsolidationService } from './consolidation/consolidation.service.js';
import { SessionSummarizer } from './consolidation/session-summarizer.service.js';
import { MemoryEventBus } from './memory-events.js';
import { MemoryEntries } from './memory-entries.service.js';
import { MemoryService } from './memory.service.js';
import { SemanticResolver } from './semantic.resolver.js';
import { GraphStore } from './semantic/graph-store.js';
import { KuzuGraphStore } from './semantic/kuzu-graph.store.js';
import { Neo4jGraphStore } from './semantic/neo4j-graph.store.js';
import { SemanticMemoryService } from './semantic/semantic-memory.service.js';
import { InProcessWorkingMemoryStore } from './working/in-process-working-memory.store.js';
import { RedisWorkingMemoryStore } from './working/redis-working-memory.store.js';
import { WindowRestorer } from './working/window-restorer.js';
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

/** The semantic graph: on Neo4j when MNEME_NEO4J_URI is set, else embedded kuzu in the data directory. */
function graphStore(config: AppConfig): GraphStore {
  const { neo4j, dir } = config.memory.semantic;
  return neo4j ? new Neo4jGraphStore(neo4j) : new KuzuGraphStore(dir);
}

@Module({
  imports: [EmbeddingModule],
  providers: [
    { provide: WorkingMemoryStore, inject: [AppConfig], useFactory: workingMemoryStore },
    WorkingMemoryService,
    EpisodicMemoryService,
    { provide: GraphStore, inject: [AppConfig], useFactory: graphStore },
    MemoryEventBus,
    MemoryEntries,
    WindowRestorer,
    SemanticMemoryService,
    SessionSummarizer,
    ConsolidationService,
    MemoryService,
    AuditTrail,
    ReembedJob,
    FactRevisions,
    Forgetting,
    MemoryResolver,
    SemanticResolver,
    FactRevisionsResolver,
    MemoryExport,
    MemoryImport,
  ],
  controllers: [MemoryArchiveController, ReembedController],
  exports: [MemoryService, ReembedJob],
})
export class MemoryModule {}
