import { buildSchema, graphql, GraphQLError, parse, validate, type ExecutionResult } from 'graphql';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import { formatGraphQLErrors } from './graphql-error-formatter.js';

const schema = buildSchema('type Query { hello: String, ask: String }');
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

function withErrors(result: ExecutionResult): ExecutionResult & { errors: readonly GraphQLError[] } {
  if (!result.errors) throw new Error('expected errors');
  return { ...result, errors: result.errors };
}

function syntaxError(source: string): GraphQLError {
  try {
    parse(source);
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected a syntax error');
}

function collectingLog() {
  const logged: unknown[] = [];
  return { logged, log: (error: unknown) => void logged.push(error) };
}

describe('formatGraphQLErrors', () => {
  it('reports a syntax error as GRAPHQL_PARSE_FAILED with status 400', () => {
    const { logged, log } = collectingLog();
    const result = formatGraphQLErrors({ errors: [syntaxError('{ hello')] }, TRACE, log);
    expect(result.statusCode).toBe(400);
    expect(result.response.errors).toHaveLength(1);
    const [error] = result.response.errors;
    expect(error?.message).toMatch(/^Syntax Error/);
    expect(error?.extensions).toEqual({ code: ErrorCode.GRAPHQL_PARSE_FAILED, traceId: TRACE });
    expect(error?.locations).toEqual([{ line: 1, column: 8 }]);
    expect(logged).toEqual([]);
  });

  it('unwraps a Mercurius-style validation wrapper into one error per inner error', () => {
    const inner = validate(schema, parse('{ nope also }'));
    expect(inner).toHaveLength(2);
    const wrapper = new GraphQLError('Graphql validation error', {
      originalError: Object.assign(new Error('Graphql validation error'), { errors: inner, statusCode: 400 }),
    });
    const result = formatGraphQLErrors({ errors: [wrapper] }, TRACE, () => undefined);
    expect(result.statusCode).toBe(400);
    expect(result.response.errors.map((e) => e.message)).toEqual(inner.map((e) => e.message));
    for (const error of result.response.errors) {
      expect(error.extensions).toEqual({ code: ErrorCode.GRAPHQL_VALIDATION_FAILED, traceId: TRACE });
      expect(error.message).toMatch(/Cannot query field/);
    }
  });

  it('reports a variable of the wrong type as GRAPHQL_VALIDATION_FAILED with 400, not as internal', async () => {
    const typed = buildSchema('type Query { twice(n: Int): Int }');
    const result = await graphql({
      schema: typed,
      source: 'query($n: Int) { twice(n: $n) }',
      variableValues: { n: 'abc' },
    });
    const { log, logged } = collectingLog();
    const formatted = formatGraphQLErrors(withErrors(result), TRACE, log);
    expect(formatted.statusCode).toBe(400);
    expect(formatted.response.errors[0]?.extensions?.code).toBe(ErrorCode.GRAPHQL_VALIDATION_FAILED);
    expect(logged).toHaveLength(0);
  });

  it('reports a bare validation error as GRAPHQL_VALIDATION_FAILED', () => {
    const [inner] = validate(schema, parse('{ nope }'));
    const result = formatGraphQLErrors({ errors: [inner!] }, TRACE, () => undefined);
    expect(result.statusCode).toBe(400);
    expect(result.response.errors[0]?.extensions?.code).toBe(ErrorCode.GRAPHQL_VALIDATION_FAILED);
  });

  it('keeps a resolver MnemeError code, message and details with status 200', async () => {
    const domain = new MnemeError(ErrorCode.CONTEXT_OVERFLOW, 'The prompt is too long.', {
      details: { promptTokens: 5000, contextSize: 4096 },
    });
    const execution = await graphql({
      schema,
      source: '{ hello ask }',
      rootValue: {
        hello: () => 'hi',
        ask: () => {
          throw domain;
        },
      },
    });
    const { logged, log } = collectingLog();
    const result = formatGraphQLErrors(withErrors(execution), TRACE, log);
    expect(result.statusCode).toBe(200);
    expect(result.response.data).toEqual({ hello: 'hi', ask: null });
    expect(result.response.errors).toEqual([
      {
        message: 'The prompt is too long.',
        locations: [{ line: 1, column: 9 }],
        path: ['ask'],
        extensions: {
          code: ErrorCode.CONTEXT_OVERFLOW,
          promptTokens: 5000,
          contextSize: 4096,
          traceId: TRACE,
        },
      },
    ]);
    expect(logged).toEqual([]);
  });

  it('hides an unknown error behind a generic INTERNAL naming the trace, and logs it', async () => {
    const secret = new Error('connection string postgres://admin:hunter2@db');
    const execution = await graphql({
      schema,
      source: '{ ask }',
      rootValue: {
        ask: () => {
          throw secret;
        },
      },
    });
    const { logged, log } = collectingLog();
    const result = formatGraphQLErrors(withErrors(execution), TRACE, log);
    expect(result.statusCode).toBe(200);
    const [error] = result.response.errors;
    expect(error?.extensions).toEqual({ code: ErrorCode.INTERNAL, traceId: TRACE });
    expect(error?.message).toContain(TRACE);
    expect(error?.message).not.toContain('hunter2');
    expect(error?.path).toEqual(['ask']);
    expect(logged).toEqual([secret]);
  });

  it('omits the trace from the generic message when there is none', () => {
    const error = new GraphQLError('boom', { path: ['ask'], originalError: new Error('boom') });
    const result = formatGraphQLErrors({ data: null, errors: [error] }, undefined, () => undefined);
    expect(result.response.errors[0]?.message).not.toContain('trace');
    expect(result.response.errors[0]?.extensions).toEqual({ code: ErrorCode.INTERNAL, traceId: undefined });
  });

  it('maps an HTTP-status error that stopped the request to its status', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    const error = new GraphQLError(tooLarge.message, { originalError: tooLarge });
    const { logged, log } = collectingLog();
    const result = formatGraphQLErrors({ data: null, errors: [error] }, TRACE, log);
    expect(result.statusCode).toBe(413);
    expect(result.response.errors[0]?.extensions?.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(logged).toEqual([]);
  });

  it('keeps status 200 when data was produced despite a request-level error', () => {
    const badRequest = Object.assign(new Error('bad'), { statusCode: 400 });
    const error = new GraphQLError('bad', { path: ['ask'], originalError: badRequest });
    const result = formatGraphQLErrors({ data: { ask: null }, errors: [error] }, TRACE, () => undefined);
    expect(result.statusCode).toBe(200);
    expect(result.response.errors[0]?.extensions?.code).toBe(ErrorCode.BAD_REQUEST);
  });
});
