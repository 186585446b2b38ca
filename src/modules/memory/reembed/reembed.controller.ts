import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import type { CallContext } from '../../../common/call-context.js';
import { assertModelAdmin } from '../../../common/model-admins.js';
import { AppConfig } from '../../../config/app-config.js';
import { Caller } from '../../../graphql/caller.decorator.js';
import { ReembedJob, type ReembedProgress } from './reembed-job.service.js';

/**
 * Re-embedding memory after a text-embedder change (docs/memory-reembed.md): start it, and watch it. Model admins
 * only — it acts on every tenant's memory, and the counts it reports span them.
 */
@Controller('v1/memory/reembed')
export class ReembedController {
  constructor(
    private readonly job: ReembedJob,
    private readonly config: AppConfig,
  ) {}

  /** Starts re-embedding (or joins the run under way): 202 with the progress. */
  @Post()
  @HttpCode(202)
  start(@Caller() ctx: CallContext): Promise<ReembedProgress> {
    assertModelAdmin(this.config.llm.adminTenants, ctx, 're-embed memory');
    return this.job.start();
  }

  @Get()
  progress(@Caller() ctx: CallContext): Promise<ReembedProgress> {
    assertModelAdmin(this.config.llm.adminTenants, ctx, 'watch a re-embed');
    return this.job.progress();
  }
}
