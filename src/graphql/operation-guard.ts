import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import type { LimitsConfig } from '../config/limits.config.js';
import type { PerceptionConfig } from '../config/app-config.js';
import type { RateLimits } from '../engines/rate-limit/rate-limits.js';
import { tenantOf, type GqlContext } from './graphql-context.js';
import { assertAffordable, type CostLimits } from './query-cost.js';
import type { SocketGuard } from '../http/socket-guard.js';

export interface OperationGuardDeps {
  limits: LimitsConfig['graphql'];
  /** Levels of fields an operation may nest (MNEME_GRAPHQL_MAX_DEPTH). */
  maxDepth: number;
  perception: Pick<PerceptionConfig, 'imagesPerRequest' | 'audioPerRequest'>;
  rateLimits: RateLimits;
  sockets: SocketGuard;
}

/**
 * What every GraphQL operation passes before it runs, over HTTP and over WebSocket alike: a bounded document,
 * the spec's validation (Mercurius skips it for subscriptions), a depth limit, no introspection where it is off, and a cost
 * within budget. Subscriptions also count against the key's request rate (HTTP requests are counted as they
 * arrive).
 */
export class OperationGuard {
  private readonly cost: CostLimits;
  readonly extraRules: ValidationRule[];

  constructor(private readonly deps: OperationGuardDeps) {
    this.cost = {
      maxCost: deps.limits.maxCost,
      imagesPerRequest: deps.perception.imagesPerRequest,
      audioPerRequest: deps.perception.audioPerRequest,
    };
    this.extraRules = [
      depthLimit(deps.maxDepth),
      ...(deps.limits.introspection ? [] : [NoSchemaIntrospectionCustomRule]),
    ];
  }

  /** Mercurius preExecution: the document is parsed and validated; variables are the request's. */
  beforeExecution(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
  ): void {
    assertAffordable(schema, document, variables, operationName, this.cost);
  }

  /** Mercurius preSubscriptionParsing: the source must be a bounded GraphQL document. */
  beforeSubscriptionParsing(source: unknown): void {
    if (typeof source !== 'string') {
      throw new MnemeError(ErrorCode.BAD_REQUEST, '"query" must be a string holding a GraphQL document.');
    }
    // Parsing again with the token limit: Mercurius parses subscription documents without one.
    parse(source, { maxTokens: this.deps.limits.maxTokens });
  }

  /** Mercurius preSubscriptionExecution: validate, rate-limit and price the subscription. */
  async beforeSubscription(
    schema: GraphQLSchema,
    document: DocumentNode,
    gql: GqlContext,
    id: string,
  ): Promise<void> {
    const errors = validate(schema, document, [...specifiedRules, ...this.extraRules]);
    if (errors.length > 0) throw validationFailure(errors);
    await this.deps.rateLimits.admitRequest(tenantOf(gql));
    const variables = gql.wsSocket ? this.deps.sockets.takeVariables(gql.wsSocket, id) : undefined;
    // The price depends on the variables; an operation that declares some must not be priced without them.
    if (!variables && declaresVariables(document))
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        'The operation’s variables did not arrive with it; send them again.',
      );
    assertAffordable(schema, document, variables, undefined, this.cost);
  }
}

/**
 * The depth limit, with the schema query exempt: the standard one (GraphiQL's, codegen's) nests 15 levels in
 * `ofType`, which resolves against the static schema and is bounded by the token limit anyway. Mercurius's own
 * `queryDepth` counts it and so refused every schema client at the default limit.
 */
function depthLimit(limit: number): ValidationRule {
  return maxDepthRule({
    n: limit,
    ignoreIntrospection: true,
    flattenFragments: true,
    propagateOnRejection: false,
    onReject: [
      (context, error) =>
        context?.reportError(
          new GraphQLError(
            `${error.message.replace(/^Syntax Error: /, '')} Flatten the query or raise MNEME_GRAPHQL_MAX_DEPTH.`,
          ),
        ),
    ],
  });
}

function validationFailure(errors: readonly GraphQLError[]): MnemeError {
  return new MnemeError(ErrorCode.GRAPHQL_VALIDATION_FAILED, errors.map((e) => e.message).join(' '));
}

function declaresVariables(document: DocumentNode): boolean {
  return document.definitions.some(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (d.variableDefinitions?.length ?? 0) > 0,
  );
}
