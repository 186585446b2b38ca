import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { ServerLifecycle } from '../../http/server-lifecycle.js';
import { ReembedJob } from '../memory/reembed/reembed-job.service.js';

const REEMBED_ACTION =
  'the text-embedding model changed: recall by meaning covers only re-embedded episodes until `mneme reembed` ' +
  '(POST /v1/memory/reembed) has run';

/** Probes for orchestrators; both are public (no API key). */
@Controller()
export class HealthController {
  constructor(
    private readonly engine: LlmEngine,
    private readonly lifecycle: ServerLifecycle,
    private readonly reembed: ReembedJob,
  ) {}

  /** Alive: the process answers. */
  @Get('healthz')
  @HttpCode(200)
  health() {
    return { status: 'ok' };
  }

  /**
   * Ready: the default model serves (loaded, or unloaded by its keep-alive or the budget after loading), not
   * draining. 503 otherwise, with what is not ready. Other models load on demand and do not count. Memory
   * waiting for a re-embed still serves (recall by meaning covers less): it is reported, not failed.
   */
  @Get('readyz')
  ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const served = this.engine.models();
    const models = served.map((m) => ({ name: m.name, state: m.state, testModel: m.testModel }));
    const main = served.find((m) => m.isDefault) ?? served[0];
    const checks = {
      accepting: !this.lifecycle.draining,
      llm: main?.state === 'ready' || (main?.state === 'unloaded' && main.loadedAt !== undefined),
    };
    const ready = Object.values(checks).every(Boolean);
    void reply.code(ready ? 200 : 503);
    const memory = this.reembed.degraded
      ? { episodic: 'reembedding', action: REEMBED_ACTION }
      : { episodic: 'current' };
    return { status: ready ? 'ready' : 'not ready', checks, memory, models, engine: this.engine.stats() };
  }
}
