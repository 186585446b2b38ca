import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

// Semantic memory on a Neo4j server that is not there (a closed loopback port), through the real neo4j-driver:
// the server still boots and serves, semantic calls fail fast with a typed STORE_UNAVAILABLE naming the server,
// and the other tiers keep working.

let server: TestApp;
const gql = (query: string, variables: Record<string, unknown> = {}) =>
  postGraphql(server.url, { query, variables }, bearer(KEYS.alice));

beforeAll(async () => {
  server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false', MNEME_NEO4J_URI: 'bolt://127.0.0.1:9' });
});
afterAll(() => server.close());

describe('semantic memory on an unreachable Neo4j', () => {
  it('answers STORE_UNAVAILABLE for the graph, quickly, and keeps serving the rest', async () => {
    const started = performance.now();
    const entity = await gql('{ entity(name: "Ada") { id } }');
    expect(performance.now() - started).toBeLessThan(3000); // not the driver's retry budget
    expect(entity.body.errors[0].extensions).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(entity.body.errors[0].message).toContain('Neo4j at bolt://127.0.0.1:9');

    const learn = await gql(
      'mutation { learnFact(input: { subject: "Ada", predicate: "lives in", object: "London" }) { reinforced } }',
    );
    expect(learn.body.errors[0].extensions).toMatchObject({ code: 'STORE_UNAVAILABLE' });

    const recall = await gql('{ recall(query: "anything", tiers: [EPISODIC], first: 3) { id } }');
    expect(recall.body.errors).toBeUndefined();
    expect(recall.body.data.recall).toEqual([]);
  });
});
