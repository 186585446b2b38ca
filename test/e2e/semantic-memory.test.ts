import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

const LEARN = `mutation($input: FactInput!) {
  learnFact(input: $input) { reinforced fact { id subjectId subject predicate object validFrom validTo } retired { object expiredAt } }
}`;
const FACTS = `query($about: String!, $at: DateTime, $knownAt: DateTime) {
  facts(about: $about, at: $at, knownAt: $knownAt) { subject predicate object validFrom validTo expiredAt }
}`;

let server: TestApp;
const gql = (query: string, variables: Record<string, unknown> = {}, key: string = KEYS.alice) =>
  postGraphql(server.url, { query, variables }, bearer(key));

beforeAll(async () => {
  // Names that share words merge whatever the random fixture embeddings say.
  server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false', MNEME_SEMANTIC_MERGE_THRESHOLD: '0' });
});
afterAll(() => server.close());

describe('semantic memory over GraphQL', () => {
  it('learns facts, retires a contradicted one, and answers what was true when', async () => {
    const london = await gql(LEARN, {
      input: {
        subject: 'Ada',
        subjectType: 'person',
        predicate: 'lives in',
        object: 'London',
        validFrom: '2010-01-01T00:00:00Z',
      },
    });
    expect(london.body.errors).toBeUndefined();
    expect(london.body.data.learnFact.fact).toMatchObject({
      subject: 'Ada',
      predicate: 'lives_in',
      object: 'London',
    });
    const knownBefore = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const paris = await gql(LEARN, {
      input: {
        subject: 'Ada Lovelace',
        predicate: 'lives in',
        object: 'Paris',
        validFrom: '2020-01-01T00:00:00Z',
      },
    });
    const learned = paris.body.data.learnFact;
    expect(learned.fact.subjectId).toBe(london.body.data.learnFact.fact.subjectId);
    expect(learned.retired).toEqual([{ object: 'London', expiredAt: expect.any(String) }]);

    const now = await gql(FACTS, { about: 'ada' });
    expect(now.body.data.facts).toEqual([
      expect.objectContaining({ subject: 'Ada Lovelace', object: 'Paris', validTo: null, expiredAt: null }),
    ]);
    const in2015 = await gql(FACTS, { about: 'Lovelace', at: '2015-06-01T00:00:00Z' });
    expect(in2015.body.data.facts).toEqual([
      expect.objectContaining({ object: 'London', validTo: '2020-01-01T00:00:00.000Z' }),
    ]);
    const asKnownBefore = await gql(FACTS, { about: 'Ada', knownAt: knownBefore });
    expect(asKnownBefore.body.data.facts).toEqual([
      expect.objectContaining({ object: 'London', validTo: null }),
    ]);

    const entity = await gql('{ entity(name: "ADA") { id name type aliases } }');
    expect(entity.body.data.entity).toMatchObject({ name: 'Ada Lovelace', type: 'person', aliases: ['ada'] });
  });

  it('walks the neighborhood up to three hops and refuses more', async () => {
    await gql(LEARN, { input: { subject: 'Paris', predicate: 'capital of', object: 'France' } });
    const ada = await gql('{ entity(name: "Ada") { id } }');
    const id: string = ada.body.data.entity.id;
    const around = await gql(
      `query($id: ID!) { neighborhood(entityId: $id, hops: 2) { center { name } neighbors { hops entity { name } } } }`,
      { id },
    );
    expect(around.body.data.neighborhood).toEqual({
      center: { name: 'Ada Lovelace' },
      neighbors: [
        { hops: 1, entity: { name: 'Paris' } },
        { hops: 2, entity: { name: 'France' } },
      ],
    });
    const tooFar = await gql(`query($id: ID!) { neighborhood(entityId: $id, hops: 4) { center { name } } }`, {
      id,
    });
    expect(tooFar.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(tooFar.body.errors[0].message).toContain('hops must be at most 3');
  });

  it('keeps tenants apart, and forget reaches the semantic tier', async () => {
    expect((await gql('{ entity(name: "Ada") { id } }', {}, KEYS.bob)).body.data.entity).toBeNull();
    const facts = await gql(FACTS, { about: 'Ada' }, KEYS.bob);
    expect(facts.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const forgot = await gql('mutation { forget(input: { everything: true }) { semantic total } }');
    // Ada, London, Paris, France and the three facts plus the closed copy of the London fact.
    expect(forgot.body.data.forget).toEqual({ semantic: 8, total: 8 });
    expect((await gql('{ entity(name: "Ada") { id } }')).body.data.entity).toBeNull();
  });
});
