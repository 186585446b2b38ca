import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError, isMnemeError } from '../common/mneme-error.js';
import { sendError } from './request-scope.hook.js';

/** REST errors leave through sendError; GraphQL errors are rethrown to Mercurius and its formatter. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') return exception;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (reply.sent) return undefined;
    sendError(request, reply, isMnemeError(exception) ? exception : fromHttpException(exception));
    return undefined;
  }
}

/** Nest's and Fastify's own HTTP errors (404 route, 413 body, bad JSON) as MnemeErrors. */
export function fromHttpException(exception: unknown): unknown {
  const status =
    exception instanceof HttpException
      ? exception.getStatus()
      : (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || status >= 500) return exception;
  const message = exception instanceof Error ? exception.message : 'Bad request';
  switch (status) {
    case 404:
      return new MnemeError(ErrorCode.NOT_FOUND, message);
    case 413:
      return new MnemeError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        `${message}. The limit is set by MNEME_BODY_LIMIT_BYTES.`,
      );
    default:
      return new MnemeError(ErrorCode.BAD_REQUEST, message);
  }
}
