import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { AuditTrail } from './audit-trail.service.js';
import { EpisodicMemoryService } from './episodic/episodic-memory.service.js';
import type { ForgetCounts, ForgetScope } from './memory.types.js';
import { FactRevisions } from './semantic/fact-revisions.service.js';
import { SemanticMemoryService } from './semantic/semantic-memory.service.js';
import { WorkingMemoryService } from './working/working-memory.service.js';

/**
 * Forgets in every tier and answers what each deleted; every forget leaves an entry in the audit trail (ids and
 * counts, none of the content). Episodic first, so nothing forgotten is recalled again; the semantic tier then
 * drops what only those episodes taught.
 */
@Injectable()
export class Forgetting {
  constructor(
    private readonly working: WorkingMemoryService,
    private readonly episodic: EpisodicMemoryService,
    private readonly semantic: SemanticMemoryService,
    private readonly facts: FactRevisions,
    private readonly engine: LlmEngine,
    private readonly audit: AuditTrail,
  ) {}

  async forget(scope: ForgetScope, ctx: CallContext): Promise<ForgetCounts> {
    if ('factId' in scope) {
      const gone = await this.facts.forget(scope.factId, ctx);
      // Facts go into prompts: any cached prompt state of the tenant's sessions may hold its words.
      const promptCache = await this.engine.forgetCached({ tenant: ctx.tenant });
      return { working: 0, episodic: 0, semantic: gone.facts + gone.entities, promptCache };
    }
    if ('episodeId' in scope) return this.forgetEpisode(scope.episodeId, ctx);
    if ('sessionId' in scope) {
      const ids = await this.episodic.forgetIds({ sessionId: scope.sessionId }, ctx);
      const working = await this.working.forgetSession(scope.sessionId, ctx);
      const promptCache = await this.engine.forgetCached({ tenant: ctx.tenant, sessionId: scope.sessionId });
      const semantic = await this.semantic.forgetEpisodes(ids, ctx);
      await this.audit.record('forget-session', scope.sessionId, { episodes: ids.length, ...semantic }, ctx);
      return { working, episodic: ids.length, semantic: semantic.facts + semantic.entities, promptCache };
    }
    const episodic = await this.episodic.forget({ everything: true }, ctx);
    const working = await this.working.forgetTenant(ctx);
    const semantic = await this.semantic.forgetEverything(ctx);
    const promptCache = await this.engine.forgetCached({ tenant: ctx.tenant });
    await this.audit.record('forget-everything', '*', { episodes: episodic, ...semantic }, ctx);
    return { working, episodic, semantic: semantic.facts + semantic.entities, promptCache };
  }

  private async forgetEpisode(id: string, ctx: CallContext): Promise<ForgetCounts> {
    const [episode] = await this.episodic.get([id], ctx);
    if (!episode) throw new MnemeError(ErrorCode.NOT_FOUND, `No episode ${id} in your memory.`);
    const ids = await this.episodic.forgetIds({ id: episode.id }, ctx);
    const working = await this.working.forgetTurn(episode.sessionId, episode.id, ctx);
    // A cached state of the session holds the episode's words among others: it goes whole.
    const promptCache = await this.engine.forgetCached({ tenant: ctx.tenant, sessionId: episode.sessionId });
    const semantic = await this.semantic.forgetEpisodes(ids, ctx);
    await this.audit.record('forget-episode', episode.id, { episodes: ids.length, ...semantic }, ctx);
    return { working, episodic: ids.length, semantic: semantic.facts + semantic.entities, promptCache };
  }
}
