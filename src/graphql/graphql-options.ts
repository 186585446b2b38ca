import { Logger } from '@nestjs/common';
import type { MercuriusDriverConfig } from '@nestjs/mercurius';
import { MercuriusDriver } from '@nestjs/mercurius';
import type { FastifyRequest } from 'fastify';
import { Kind } from 'graphql';
import type { AppConfig } from '../config/app-config.js';
import type { ApiKeyAuth } from '../http/api-key-auth.js';
import type { GqlContext } from './graphql-context.js';
import { formatGraphQLErrors } from './graphql-error-formatter.js';

const logger = new Logger('GraphQL');

/** Mercurius at /graphql, code-first schema (sorted), GraphiQL outside production, graphql-ws subscriptions. */
export function graphqlOptions(config: AppConfig, auth: ApiKeyAuth): MercuriusDriverConfig {
  return {
    driver: MercuriusDriver,
    path: '/graphql',
    autoSchemaFile: true,
    sortSchema: true,
    graphiql: config.server.graphiql,
    queryDepth: config.server.graphqlMaxDepth,
    context: (request: FastifyRequest): GqlContext => ({ scope: request.mneme }),
    subscription: {
      // Browsers cannot set headers on a WebSocket: the key travels in connection_init as { authorization }.
      // A failed handshake is still acknowledged so each operation can fail with a typed UNAUTHENTICATED error:
      // Mercurius answers a refused handshake with a legacy message that graphql-ws clients cannot read.
      onConnect: ({ payload }: { payload: unknown }): GqlContext => {
        try {
          return { wsTenant: auth.tenantFor(authorizationOf(payload)) };
        } catch (error) {
          return { wsAuthError: error as Error };
        }
      },
      keepAlive: 15_000,
    },
    hooks: {
      // Names the request's span after the operation it runs ("graphql mutation ask"), once it is parsed.
      preExecution: (_schema, document, context) => {
        const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
        const fields = operation?.selectionSet.selections
          .map((s) => (s.kind === Kind.FIELD ? s.name.value : undefined))
          .filter(Boolean)
          .join(',');
        const span = (context as unknown as GqlContext).scope?.span;
        if (operation && span) {
          span.updateName(`graphql ${operation.operation} ${fields ?? ''}`.trim());
          span.setAttributes({
            'graphql.operation.type': operation.operation,
            ...(operation.name ? { 'graphql.operation.name': operation.name.value } : {}),
          });
        }
      },
    },
    errorFormatter: (execution, context) => {
      const ctx = context as unknown as GqlContext & { reply?: { request: FastifyRequest } };
      const request = ctx.reply?.request;
      const traceId = ctx.scope?.traceId ?? request?.mneme?.traceId;
      return formatGraphQLErrors(execution, traceId, (error) =>
        logger.error(`GraphQL operation failed (trace ${traceId ?? '-'})`, error),
      );
    },
  };
}

function authorizationOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const record = payload as Record<string, unknown>;
  const value = record.authorization ?? record.Authorization;
  return typeof value === 'string' ? value : undefined;
}
