import { existsSync } from 'node:fs';
import path from 'node:path';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { isMnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { RateLimits } from '../../engines/rate-limit/rate-limits.js';
import { Headroom } from '../../telemetry/headroom.js';
import { PATHS, tenantListed, type PathName, type PathProfile } from '../../config/routing.config.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { withSpan } from '../../telemetry/tracing.js';
import { PathGate, type GateStats } from './path-gate.js';
import { TextEmbedderService } from '../embedding/text-embedder.service.js';
import { LearnedRouter, routerInput } from './learned-router.js';
import { routeByRules, type RouteRequest } from './rule-router.js';

export interface Route {
  path: PathName;
  reason: string;
  scores: Record<PathName, number>;
  profile: PathProfile;
  /** The model to generate with; undefined = the engine's default. */
  model: string | undefined;
  /** The served models of the path's ensemble (samples are spread over them); empty without one. */
  ensemble: string[];
  /** Deep request admitted on the medium path because deep was full. */
  steppedDown: boolean;
  /** Re-run on the medium path because the fast answer looked unsure. */
  escalated: boolean;
}

export interface Admission {
  route: Route;
  /** Call exactly once when the request is done (answered, failed or cancelled). */
  release: () => void;
}

/**
 * Picks a compute path for each ask and admits it through that path's gate. The gates are the only queues in
 * front of the engine, so a flood meets OVERLOADED answers, never an unbounded wait.
 */
@Injectable()
export class RoutingService implements OnModuleInit {
  private readonly logger = new Logger('Routing');
  private readonly gates: Record<PathName, PathGate>;
  private learned: LearnedRouter | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly engine: LlmEngine,
    private readonly embedder: TextEmbedderService,
    private readonly headroom: Headroom,
    private readonly rateLimits: RateLimits,
  ) {
    const paths = config.routing.paths;
    this.gates = Object.fromEntries(
      PATHS.map((p) => [
        p,
        new PathGate(p, {
          concurrency: paths[p].concurrency,
          queue: paths[p].queue,
          deadlineMs: paths[p].targetMs,
        }),
      ]),
    ) as Record<PathName, PathGate>;
  }

  /** Loads the trained router if there is one; without it (or if it cannot load) the rules route alone. */
  async onModuleInit(): Promise<void> {
    const configured = this.config.routing.learnedModel;
    const file = configured ?? path.join(this.config.llm.modelsDir, 'router.json');
    if (!configured && !existsSync(file)) return;
    try {
      const { name, dims } = await this.embedder.identity();
      this.learned = LearnedRouter.load(file, `${name}:${dims}`);
      const { accuracy, examples } = this.learned.file.heldOut;
      this.logger.log(
        `Learned router from ${file} (held-out accuracy ${(accuracy * 100).toFixed(1)} % on ${examples})`,
      );
    } catch (error) {
      this.logger.warn(`Routing by rules only: ${(error as Error).message}`);
    }
  }

  /**
   * Picks the path: the learned router when it is loaded and confident, else the rules; a hint from a tenant
   * allowed to force always wins. Resolves the path's model.
   */
  async decide(request: Omit<RouteRequest, 'mayForce'>, ctx: CallContext): Promise<Route> {
    const mayForce = tenantListed(this.config.routing.forceTenants, ctx.tenant);
    return withSpan('route.decide', ctx.trace, {}, async (span) => {
      const rules = routeByRules({ ...request, mayForce });
      let decision = rules;
      let router = 'rules';
      if (this.learned && !(request.hint && mayForce)) {
        const [embedding] = await this.embedder.embed([request.prompt]);
        const learned = this.learned.classify(routerInput(embedding!, request));
        const sure = learned.probability >= this.config.routing.minConfidence;
        router = sure ? 'learned' : 'rules';
        decision = sure
          ? {
              path: learned.path,
              reason: `learned router (p=${learned.probability.toFixed(2)}); signals: ${rules.reason}`,
              scores: learned.scores,
            }
          : {
              ...rules,
              reason: `${rules.reason}; learned router unsure (p=${learned.probability.toFixed(2)})`,
            };
      }
      span.setAttributes({ 'mneme.route.router': router, 'mneme.route.path': decision.path });
      return this.withProfile(decision.path, decision.reason, decision.scores, false);
    });
  }

  /**
   * Waits for a slot on the route's path; a full deep path steps down to medium for tenants allowed to. Refused
   * first when the server is under pressure or the caller spent its tokens for the minute.
   */
  admit(route: Route, ctx: CallContext): Promise<Admission> {
    return withSpan('route.admit', ctx.trace, { 'mneme.route.path': route.path }, async (span) => {
      this.headroom.assert('generations');
      await this.rateLimits.assertTokensLeft(ctx.tenant);
      try {
        const release = await this.gates[route.path].enter(ctx.signal);
        return { route, release };
      } catch (error) {
        const overloaded = isMnemeError(error) && error.code === ErrorCode.OVERLOADED;
        if (
          !overloaded ||
          route.path !== 'deep' ||
          !tenantListed(this.config.routing.stepDownTenants, ctx.tenant)
        ) {
          throw error;
        }
        const release = await this.gates.medium.enter(ctx.signal);
        span.setAttribute('mneme.route.stepped_down', true);
        const stepped = this.withProfile(
          'medium',
          `${route.reason}; stepped down from deep under load`,
          route.scores,
          true,
        );
        return { route: stepped, release };
      }
    });
  }

  /** A slot on the medium path for an unsure fast answer, or undefined when medium has no room right now. */
  async escalate(from: Route, reasons: string[], ctx: CallContext): Promise<Admission | undefined> {
    try {
      const release = await this.gates.medium.enter(ctx.signal);
      const reason = `${from.reason}; escalated from ${from.path}: ${reasons.join(', ')}`;
      return {
        route: { ...this.withProfile('medium', reason, from.scores, false), escalated: true },
        release,
      };
    } catch (error) {
      if (isMnemeError(error) && error.code === ErrorCode.OVERLOADED) return undefined;
      throw error;
    }
  }

  stats(): Record<PathName, GateStats> {
    return { fast: this.gates.fast.stats, medium: this.gates.medium.stats, deep: this.gates.deep.stats };
  }

  private withProfile(
    path: PathName,
    reason: string,
    scores: Record<PathName, number>,
    steppedDown: boolean,
  ): Route {
    const profile = this.config.routing.paths[path];
    const served = this.engine.models();
    let model: string | undefined;
    if (profile.model !== 'default' && served.some((m) => m.name === profile.model)) model = profile.model;
    else if (profile.model !== 'default')
      reason += `; model ${profile.model} is not served, using ${served.find((m) => m.isDefault)?.name ?? 'default'}`;
    const ensemble = (profile.ensemble ?? []).filter((name) => served.some((m) => m.name === name));
    const unserved = (profile.ensemble ?? []).filter((name) => !ensemble.includes(name));
    if (unserved.length) reason += `; ensemble model(s) ${unserved.join(', ')} not served, left out`;
    return { path, reason, scores, profile, model, ensemble, steppedDown, escalated: false };
  }
}
