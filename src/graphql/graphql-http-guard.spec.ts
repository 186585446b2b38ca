import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import { assertOperationShape } from './graphql-http-guard.js';

function codeOf(params: unknown, fromQueryString = false): string | undefined {
  try {
    assertOperationShape(params, fromQueryString);
    return undefined;
  } catch (error) {
    if (error instanceof MnemeError) return error.code;
    throw error;
  }
}

describe('assertOperationShape', () => {
  it('passes an ordinary operation, with or without variables and a name', () => {
    expect(codeOf({ query: '{ me { tenant } }' })).toBeUndefined();
    expect(
      codeOf({ query: 'query Q($n: Int) { x(n: $n) }', variables: { n: 1 }, operationName: 'Q' }),
    ).toBeUndefined();
    expect(codeOf({ query: '{ me { tenant } }', variables: null, operationName: null })).toBeUndefined();
    expect(codeOf({ query: '{ me { tenant } }', variables: '{"n":1}' }, true)).toBeUndefined();
  });

  it.each([
    ['no query', {}],
    ['a numeric query', { query: 123 }],
    ['a blank query', { query: '   ' }],
    ['an AST object', { query: { kind: 'Document', definitions: [] } }],
    ['a batch', [{ query: '{ a }' }]],
    ['a numeric operation name', { query: '{ a }', operationName: 5 }],
    ['a list of variables', { query: '{ a }', variables: [1] }],
  ])('refuses %s as BAD_REQUEST', (_name, params) => {
    expect(codeOf(params)).toBe(ErrorCode.BAD_REQUEST);
  });

  it.each(['123', '{}', 'null', '"{ me { tenant } }"', '{"kind":"Document"}'])(
    'refuses the JSON text %s as a query with GRAPHQL_PARSE_FAILED',
    (query) => {
      expect(codeOf({ query })).toBe(ErrorCode.GRAPHQL_PARSE_FAILED);
    },
  );

  it('refuses query-string variables that are not JSON', () => {
    expect(codeOf({ query: '{ a }', variables: '{nope' }, true)).toBe(ErrorCode.BAD_REQUEST);
  });
});
