import { Logger } from '@nestjs/common';
import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import { MercuriusDriver } from '@nestjs/mercurius';
import type { FastifyRequest } from 'fastify';
import { Kind, type DocumentNode } from 'graphql';
import type { AppConfig } from '../config/app-config.js';
import type { GqlContext } from './graphql-context.js';
import { graphiqlPlugin } from './graphiql.js';
import { formatGraphQLErrors } from './graphql-error-formatter.js';
import type { OperationGuard } from './operation-guard.js';
import type { GuardedSocket, SocketGuard } from '../http/socket-guard.js';

const logger = new Logger('GraphQL');

type MercuriusContext = GqlContext & { reply?: { request: FastifyRequest } };

/** Mercurius at /graphql, code-first schema (sorted), GraphiQL outside production, graphql-ws subscriptions. */
export function graphqlOptions(
  config: AppConfig,
  guard: OperationGuard,
  sockets: SocketGuard,
): MercuriusDriverConfig {
  return {
    driver: MercuriusDriver,
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    // Mercurius's GraphiQL loads React and GraphiQL from a CDN (blank offline); ours serves them itself.
    graphiql: false,
    plugins: config.server.graphiql ? [{ plugin: graphiqlPlugin({ endpoint: '/graphql' }) }] : [],
    // A bounded document: parsing and validation stop here, before anything quadratic runs on it.
    graphql: { parseOptions: { maxTokens: config.limits.graphql.maxTokens } },
    validationRules: guard.extraRules,
    context: (request: FastifyRequest): GqlContext => ({ scope: request.mneme }),
    subscription: {
      // The socket guard authenticated connection_init before Mercurius reads it, and closed the socket if not.
      context: (socket: GuardedSocket): GqlContext => ({
        wsSocket: socket,
        wsTenant: sockets.tenantOf(socket),
        wsActor: sockets.actorOf(socket),
      }),
      keepAlive: 15_000,
    },
    hooks: {
      preExecution: (schema, document, context, variables) => {
        const ctx = context as unknown as MercuriusContext;
        nameSpan(document, ctx);
        guard.beforeExecution(schema, document, variables, operationNameOf(ctx.reply?.request));
      },
      preSubscriptionParsing: (_schema, source) => guard.beforeSubscriptionParsing(source),
      preSubscriptionExecution: (schema, document, context, id) =>
        guard.beforeSubscription(schema, document, context as unknown as GqlContext, String(id)),
    },
    errorFormatter: (execution, context) => {
      const ctx = context as unknown as MercuriusContext;
      const traceId = ctx.scope?.traceId ?? ctx.reply?.request.mneme?.traceId;
      return formatGraphQLErrors(execution, traceId, (error) =>
        logger.error(`GraphQL operation failed (trace ${traceId ?? '-'})`, error),
      );
    },
  };
}

/** Names the request's span after the operation it runs ("graphql mutation ask"), once it is parsed. */
function nameSpan(document: DocumentNode, ctx: GqlContext): void {
  const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const span = ctx.scope?.span;
  if (!operation || !span) return;
  const fields = operation.selectionSet.selections
    .map((s) => (s.kind === Kind.FIELD ? s.name.value : undefined))
    .filter(Boolean)
    .join(',');
  span.updateName(`graphql ${operation.operation} ${fields}`.trim());
  span.setAttributes({
    'graphql.operation.type': operation.operation,
    ...(operation.name ? { 'graphql.operation.name': operation.name.value } : {}),
  });
}

/** The operation a request names (body for POST, query string for GET); the cost check prices that one. */
function operationNameOf(request: FastifyRequest | undefined): string | undefined {
  const params = (request?.method === 'GET' ? request.query : request?.body) as
    { operationName?: unknown } | undefined;
  return typeof params?.operationName === 'string' ? params.operationName : undefined;
}
