import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { AppConfig } from '../../config/app-config.js';
import { withSpan } from '../../telemetry/tracing.js';
import { TextEmbedderService } from '../embedding/text-embedder.service.js';
import { alignment } from './alignment.js';
import { parseFit, project, type ProjectionFit } from './linear-projection.js';

export type ProjectedModality = 'image' | 'audio';

export const PROJECTION_FILES: Record<ProjectedModality, string> = {
  image: 'clip.projection.json',
  audio: 'clap.projection.json',
};

/**
 * The fitted projections into the shared space (from `npm run fusion:fit`), loaded once at boot from
 * `<models dir>/fusion/`, with their fit quality; project() and align() are traced per call.
 */
@Injectable()
export class ProjectionStore implements OnModuleInit {
  private readonly logger = new Logger('Fusion');
  private readonly fits = new Map<ProjectedModality, ProjectionFit>();
  private readonly problems = new Map<ProjectedModality, string>();

  constructor(
    private readonly config: AppConfig,
    private readonly target: TextEmbedderService,
  ) {}

  async onModuleInit(): Promise<void> {
    const { name, dims } = await this.target.identity();
    const target = `${name}:${dims}`;
    const dir = path.join(this.config.llm.modelsDir, 'fusion');
    for (const modality of ['image', 'audio'] as const) {
      const file = path.join(dir, PROJECTION_FILES[modality]);
      if (!existsSync(file)) {
        this.problems.set(modality, `no ${PROJECTION_FILES[modality]} in ${dir}; run npm run fusion:fit`);
        continue;
      }
      try {
        const fit = parseFit(readFileSync(file, 'utf8'));
        if (fit.target !== target) {
          throw new Error(
            `fitted into ${fit.target}, but the shared space is the text embedder ${target}; re-run npm run fusion:fit`,
          );
        }
        this.fits.set(modality, fit);
        this.logger.log(
          `${modality} projection ${fit.source} → ${fit.target}: held-out cosine ` +
            `${fit.quality.heldOutCosine.toFixed(3)} (mismatched ${fit.quality.shuffledCosine.toFixed(3)})`,
        );
      } catch (error) {
        this.problems.set(modality, `${file}: ${(error as Error).message}`);
        this.logger.warn(`Ignoring the ${modality} projection: ${(error as Error).message}`);
      }
    }
  }

  /** Each modality's fit (or why there is none), for status and tests. */
  status(): { modality: ProjectedModality; fit: ProjectionFit | undefined; problem: string | undefined }[] {
    return (['image', 'audio'] as const).map((modality) => ({
      modality,
      fit: this.fits.get(modality),
      problem: this.problems.get(modality),
    }));
  }

  /** The vector in the shared space, or undefined when this modality has no projection. */
  project(
    modality: ProjectedModality,
    vector: Float32Array,
    ctx: Pick<CallContext, 'trace'>,
  ): Promise<Float32Array | undefined> {
    const fit = this.fits.get(modality);
    return withSpan(
      'fusion.project',
      ctx.trace,
      { 'mneme.modality': modality, 'mneme.fusion.available': !!fit },
      () => Promise.resolve(fit ? project(fit, vector) : undefined),
    );
  }

  /** Calibrated agreement (0..1) of vectors already in the shared space. */
  align(vectors: Float32Array[], ctx: Pick<CallContext, 'trace'>): Promise<number> {
    return withSpan('fusion.align', ctx.trace, { 'mneme.fusion.vectors': vectors.length }, () => {
      const fits = [...this.fits.values()];
      const matched = fits.length ? Math.min(...fits.map((f) => f.quality.heldOutCosine)) : 1;
      const mismatched = fits.length ? Math.max(...fits.map((f) => f.quality.shuffledCosine)) : 0;
      return Promise.resolve(alignment(vectors, { matched, mismatched }));
    });
  }
}
