import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { fromHttpException } from './all-exceptions.filter.js';
import { sendError } from './request-scope.hook.js';

/**
 * Fastify with Mneme's error handler installed before any route, so errors Fastify raises itself (body too
 * large, malformed JSON) get the same shapes and codes as handler errors. Nest would install its own handler
 * at init, after the routes captured ours, which only adds an override warning: that call is declined.
 */
export class MnemeFastifyAdapter extends FastifyAdapter {
  constructor(options: { bodyLimit: number }) {
    super({ bodyLimit: options.bodyLimit, return503OnClosing: true });
    this.getInstance().setErrorHandler((error, request, reply) =>
      sendError(request, reply, fromHttpException(error)),
    );
  }

  override setErrorHandler(): FastifyInstance {
    return this.getInstance();
  }
}
