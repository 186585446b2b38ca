import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { isMnemeError } from '../../common/mneme-error.js';
import { AppConfig } from '../../config/app-config.js';
import { PATHS, tenantListed, type PathName, type PathProfile } from '../../config/routing.config.js';
import { LlmEngine } from '../../engines/llm/llm-engine.js';
import { endSpan, startSpan, withSpan } from '../../telemetry/tracing.js';
import { PathGate, type GateStats } from './path-gate.js';
import { routeByRules, type RouteRequest } from './rule-router.js';

export interface Route {
  path: PathName;
  reason: string;
  scores: Record<PathName, number>;
  profile: PathProfile;
  /** The model to generate with; undefined = the engine's default. */
  model: string | undefined;
  /** Deep request admitted on the medium path because deep was full. */
  steppedDown: boolean;
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
export class RoutingService {
  private readonly gates: Record<PathName, PathGate>;

  constructor(
    private readonly config: AppConfig,
    private readonly engine: LlmEngine,
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

  /** Routes with the rules (a traced, sub-millisecond decision), resolving the path's model. */
  decide(request: Omit<RouteRequest, 'mayForce'>, ctx: CallContext): Route {
    const span = startSpan('route.decide', ctx.trace, { 'mneme.route.router': 'rules' });
    const mayForce = tenantListed(this.config.routing.forceTenants, ctx.tenant);
    const decision = routeByRules({ ...request, mayForce });
    span.setAttribute('mneme.route.path', decision.path);
    endSpan(span);
    return this.withProfile(decision.path, decision.reason, decision.scores, false);
  }

  /** Waits for a slot on the route's path; a full deep path steps down to medium for tenants allowed to. */
  admit(route: Route, ctx: CallContext): Promise<Admission> {
    return withSpan('route.admit', ctx.trace, { 'mneme.route.path': route.path }, async (span) => {
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
    const served = this.engine.models().map((m) => m.name);
    let model: string | undefined;
    if (profile.model !== 'default' && served.includes(profile.model)) model = profile.model;
    else if (profile.model !== 'default')
      reason += `; model ${profile.model} is not loaded, using ${served[0] ?? 'default'}`;
    return { path, reason, scores, profile, model, steppedDown };
  }
}
