import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import type { CallContext } from '../common/call-context.js';
import { requestCallContext } from '../http/request-scope.hook.js';
import { gqlCallContext, type GqlContext } from './graphql-context.js';

/**
 * The caller of a resolver or controller method as a parameter: `@Caller() caller: CallContext` (tenant, abort
 * signal, trace). UNAUTHENTICATED when the request has no tenant.
 */
export const Caller = createParamDecorator((_data: unknown, host: ExecutionContext): CallContext => {
  if (host.getType<string>() === 'graphql')
    return gqlCallContext(GqlExecutionContext.create(host).getContext<GqlContext>());
  return requestCallContext(host.switchToHttp().getRequest<FastifyRequest>());
});
