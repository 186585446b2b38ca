import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { tenantOf, type GqlContext } from './graphql-context.js';

/**
 * Every GraphQL operation has an authenticated caller (HTTP: the API key checked as the request arrived;
 * WebSocket: connection_init, checked by the socket guard). Resolvers that read no tenant data still need one.
 * REST routes are authenticated by route in the request-scope hook, which also leaves the probes public.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  canActivate(host: ExecutionContext): boolean {
    if (host.getType<string>() !== 'graphql') return true;
    tenantOf(GqlExecutionContext.create(host).getContext<GqlContext>());
    return true;
  }
}
