import { LlmEngine } from '../../../src/engines/llm/llm-engine.js';
import { postGraphql, spans, startTestApp, type TestApp } from '../../support/test-app.js';

// Query cost analysis (issue #14, finding 3): one request cannot fan out into thousands of searches or
// generations; it is refused before anything runs, with a code naming the cost and the limit.

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp();
});
afterAll(() => server.close());

const gql = (query: string, variables?: Record<string, unknown>) =>
  postGraphql(server.url, { query, variables });
const aliases = (n: number, field: (i: number) => string) =>
  Array.from({ length: n }, (_, i) => field(i)).join(' ');

/** The memory and generation spans started while `fn` ran: what actually executed. */
async function executed(fn: () => Promise<unknown>): Promise<string[]> {
  spans.reset();
  await fn();
  return spans
    .getFinishedSpans()
    .map((s) => s.name)
    .filter((n) => n.startsWith('memory.') || n.startsWith('chat '));
}

describe('GraphQL query cost', () => {
  it('refuses 2,000 aliases of recall (150 KB) at the parser’s token limit', async () => {
    const query = `{ ${aliases(2000, (i) => `r${i}: recall(query: "anything at all") { id text }`)} }`;
    expect(query.length).toBeGreaterThan(100_000);
    let status = 0;
    let body: any;
    const ran = await executed(async () => ({ status, body } = await gql(query)));
    expect(status).toBe(400);
    expect(body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 5000 });
    expect(body.errors[0].message).toContain('MNEME_GRAPHQL_MAX_TOKENS');
    expect(ran).toEqual([]);
  });

  it('caps recall per request, aliases counted, before any search runs', async () => {
    let body: any;
    const ran = await executed(
      async () => ({ body } = await gql(`{ ${aliases(9, (i) => `r${i}: recall(query: "x") { id }`)} }`)),
    );
    expect(body.errors[0].extensions).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      field: 'recall',
      count: 9,
      limit: 8,
    });
    expect(ran).toEqual([]);
  });

  it('allows one ask per request: a second, aliased or in a fragment, refuses the whole request', async () => {
    const engine = server.app.get(LlmEngine);
    const before = engine.stats();
    for (const query of [
      'mutation { a: ask(input: { prompt: "one" }) { text } b: ask(input: { prompt: "two" }) { text } }',
      'mutation { ...Two } fragment Two on Mutation { a: ask(input: { prompt: "1" }) { text } b: ask(input: { prompt: "2" }) { text } }',
    ]) {
      const { status, body } = await gql(query);
      expect(status).toBe(400);
      expect(body.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', field: 'ask', limit: 1 });
    }
    expect(engine.stats().completed + engine.stats().failed).toBe(before.completed + before.failed);
  });

  it('refuses an operation over the cost budget, naming its cost and the limit', async () => {
    const page = 'edges { cursor node { id text role createdAt } } pageInfo { hasNextPage endCursor }';
    const query = `{ ${aliases(16, (i) => `e${i}: episodes(sessionId: "s${i}", first: 100) { ${page} }`)} }`;
    const { status, body } = await gql(query);
    expect(status).toBe(400);
    const extensions = body.errors[0].extensions;
    expect(extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(extensions.limit).toBe(10_000);
    expect(extensions.cost).toBeGreaterThan(10_000);
    expect(body.errors[0].message).toContain(`cost ${extensions.cost} units`);
  });

  it('lets an ordinary request and the GraphiQL introspection query through', async () => {
    const ordinary = await gql(
      `{ ${aliases(4, (i) => `e${i}: episodes(sessionId: "s${i}", first: 100) { edges { node { id } } }`)} me { tenant } }`,
    );
    expect(ordinary.body.errors).toBeUndefined();
    const introspection = await gql(
      '{ __schema { types { name kind fields(includeDeprecated: true) { name args { name type { name kind ofType { name kind } } } type { name kind ofType { name kind ofType { name kind } } } } } } }',
    );
    expect(introspection.body.errors).toBeUndefined();
    expect(introspection.body.data.__schema.types.length).toBeGreaterThan(20);
  });
});
