import { createHash } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

const LEARN = `mutation($input: FactInput!) {
  learnFact(input: $input) { reinforced fact { id subjectId subject predicate object validFrom validTo } retired { object expiredAt } }
}`;
const FACTS = `query($about: String!, $at: DateTime, $knownAt: DateTime) {
  facts(about: $about, at: $at, knownAt: $knownAt) { id subject predicate object validFrom validTo expiredAt }
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

  it('puts current facts about the entities an ask names into its prompt, and cites them', async () => {
    const current = await gql(FACTS, { about: 'Ada' });
    const facts = current.body.data.facts as { id: string; object: string }[];
    const paris = facts.find((f) => f.object === 'Paris')!;
    const { body } = await gql(
      `mutation($input: AskInput!) { ask(input: $input) { memory { used { id tier } } context { role content } } }`,
      { input: { prompt: 'Where does Ada live now?', maxTokens: 2, debug: true } },
    );
    expect(body.errors).toBeUndefined();
    const context = body.data.ask.context as { content: string }[];
    const last = context.at(-1)!.content;
    expect(last).toContain('Known facts (current):\n- Ada Lovelace lives in Paris (since 2020-01-01)');
    expect(last).not.toContain('London');
    const used = body.data.ask.memory.used as { id: string; tier: string }[];
    expect(used.filter((u) => u.tier === 'SEMANTIC').map((u) => u.id)).toContain(paris.id);

    const recalled = await gql(
      '{ recall(query: "what about ada lovelace", tiers: [SEMANTIC]) { tier role text } }',
    );
    expect(recalled.body.data.recall).toContainEqual({
      tier: 'SEMANTIC',
      role: 'fact',
      text: 'Ada Lovelace lives in Paris (since 2020-01-01)',
    });
  });

  it('streams memoryEvents to the tenant they belong to, and only to it', async () => {
    const clients: Client[] = [];
    const listen = (key: string) => {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: bearer(key),
        retryAttempts: 0,
      });
      clients.push(client);
      return client.iterate<{ memoryEvents: { kind: string; fact: { object: string } | null } }>({
        query: 'subscription { memoryEvents { kind at fact { subject predicate object } episodeId facts } }',
      });
    };
    try {
      const aliceEvents = listen(KEYS.alice);
      const bobEvents = listen(KEYS.bob);
      // Asking for the first events sends the subscriptions; the server has them shortly after.
      const aliceNext = aliceEvents.next();
      const bobNext = bobEvents.next();
      await new Promise((r) => setTimeout(r, 500));
      await gql(LEARN, { input: { subject: 'Grace', predicate: 'works at', object: 'Navy' } });
      await gql(LEARN, { input: { subject: 'Grace', predicate: 'works at', object: 'Harvard' } });
      const seen: { kind: string; object: string | undefined }[] = [];
      const note = (
        r: IteratorResult<{
          data?: { memoryEvents: { kind: string; fact: { object: string } | null } } | null;
        }>,
      ) =>
        seen.push({
          kind: r.value!.data!.memoryEvents.kind,
          object: r.value!.data!.memoryEvents.fact?.object,
        });
      note(await aliceNext);
      while (seen.length < 3) note(await aliceEvents.next());
      expect(seen).toEqual([
        { kind: 'FACT_ADDED', object: 'Navy' },
        { kind: 'FACT_RETIRED', object: 'Navy' },
        { kind: 'FACT_ADDED', object: 'Harvard' },
      ]);
      await gql(LEARN, { input: { subject: 'Linus', predicate: 'wrote', object: 'Linux' } }, KEYS.bob);
      // Bob's first event is his own: none of Alice's reached him.
      const first = await bobNext;
      expect(first.value!.data!.memoryEvents).toMatchObject({
        kind: 'FACT_ADDED',
        fact: { object: 'Linux' },
      });
    } finally {
      for (const client of clients) await client.dispose();
    }
  });

  it('keeps tenants apart, and forget reaches the semantic tier', async () => {
    expect((await gql('{ entity(name: "Ada") { id } }', {}, KEYS.bob)).body.data.entity).toBeNull();
    // Another tenant's entity is unknown here: no facts, like entity's null (no error nulling sibling fields).
    const facts = await gql(
      `query($about: String!) { facts(about: $about) { object } me { tenant } }`,
      { about: 'Ada' },
      KEYS.bob,
    );
    expect(facts.body).toEqual({ data: { facts: [], me: { tenant: 'bob' } } });
    const forgot = await gql('mutation { forget(input: { everything: true }) { semantic total } }');
    // Seven entities (Ada, London, Paris, France, Grace, Navy, Harvard) and seven facts (the two retired ones, their
    // closed copies and the three current ones: nothing was deleted); the ask's two turns in working and
    // episodic memory make up the rest.
    expect(forgot.body.data.forget).toEqual({ semantic: 14, total: 18 });
    expect((await gql('{ entity(name: "Ada") { id } }')).body.data.entity).toBeNull();
  });
});

describe('one fact by id: history, retraction, correction, forgetting, and the audit trail', () => {
  const FACT_FIELDS = 'id object lineage retiredBy retiredReason supersededBy expiredAt';
  const HISTORY = `query($id: ID!) { fact(id: $id) { fact { ${FACT_FIELDS} } history { ${FACT_FIELDS} } } }`;
  const RETRACT = `mutation($id: ID!, $reason: String) { retractFact(id: $id, reason: $reason) { ${FACT_FIELDS} } }`;
  const CORRECT = `mutation($id: ID!, $input: FactCorrectionInput!) {
    correctFact(id: $id, input: $input) { retired { ${FACT_FIELDS} } fact { ${FACT_FIELDS} } }
  }`;
  const FORGET_FACT = 'mutation($id: ID!) { forget(input: { factId: $id }) { semantic total promptCache } }';
  const AUDIT = '{ memoryAudit(first: 20) { action target result actor episodes facts entities at } }';
  type FactRow = { id: string; object: string; retiredBy: string | null };
  type AuditRow = { action: string; target: string; actor: string };
  const code = (response: { body: any }) => response.body.errors?.[0]?.extensions?.code as string | undefined;
  const auditOf = async (key: string = KEYS.alice) =>
    (await gql(AUDIT, {}, key)).body.data.memoryAudit as AuditRow[];
  const historyOf = async (id: string) =>
    (await gql(HISTORY, { id })).body.data.fact as { fact: FactRow; history: FactRow[] };
  const learn = async (subject: string, predicate: string, object: string) =>
    (await gql(LEARN, { input: { subject, predicate, object } })).body.data.learnFact.fact.id as string;
  const aliceActor = `key:${createHash('sha256').update(KEYS.alice).digest('hex').slice(0, 12)}`;

  it('corrects a fact: the old one in its history as CORRECTED, the new one current; the audit names the key', async () => {
    const id = await learn('Mira', 'works at', 'Initech');
    const corrected = await gql(CORRECT, { id, input: { object: 'Initrode', reason: 'wrong company' } });
    expect(corrected.body.errors).toBeUndefined();
    const { retired, fact } = corrected.body.data.correctFact;
    expect(retired).toMatchObject({
      id,
      retiredBy: 'CORRECTED',
      retiredReason: 'wrong company',
      supersededBy: fact.id,
    });
    expect(fact).toMatchObject({ object: 'Initrode', lineage: id, retiredBy: null, expiredAt: null });
    const history = await historyOf(fact.id as string);
    expect(history.fact.id).toBe(fact.id);
    expect(history.history.map((f) => [f.object, f.retiredBy])).toEqual([
      ['Initech', 'CORRECTED'],
      ['Initrode', null],
    ]);
    const current = (await gql(FACTS, { about: 'Mira' })).body.data.facts as FactRow[];
    expect(current.map((f) => f.object)).toEqual(['Initrode']);
    const entry = (await auditOf()).find((e) => e.target === id);
    expect(entry).toMatchObject({ action: 'CORRECT_FACT', result: fact.id, actor: aliceActor, facts: 1 });
    expect(code(await gql(CORRECT, { id, input: { object: 'Globex' } }))).toBe('CONFLICT');
  });

  it('retracts once (CONFLICT after), forgets a fact with its history; the audit keeps ids and counts only', async () => {
    const id = await learn('Noor', 'owns', 'a red kayak');
    const retracted = await gql(RETRACT, { id, reason: 'sold it' });
    expect(retracted.body.data.retractFact).toMatchObject({
      retiredBy: 'RETRACTED',
      retiredReason: 'sold it',
    });
    expect(code(await gql(RETRACT, { id }))).toBe('CONFLICT');
    // An ask that names Noor leaves a cached prompt state that may hold the fact's words: it goes too.
    const ASK = 'mutation($input: AskInput!) { ask(input: $input) { text } }';
    await gql(ASK, { input: { prompt: 'What does Noor own?', sessionId: 'noor', maxTokens: 2 } });
    const forgot = await gql(FORGET_FACT, { id });
    // The fact, Noor and the kayak.
    expect(forgot.body.data.forget).toEqual({ semantic: 3, total: 3, promptCache: expect.any(Number) });
    expect(forgot.body.data.forget.promptCache).toBeGreaterThanOrEqual(1);
    expect(code(await gql(HISTORY, { id }))).toBe('NOT_FOUND');
    const trail = (await auditOf()).filter((e) => e.target === id);
    expect(trail.map((e) => e.action)).toEqual(['FORGET_FACT', 'RETRACT_FACT']);
    expect(trail[0]).toMatchObject({ facts: 1, entities: 2, actor: aliceActor });
    expect(JSON.stringify(trail)).not.toMatch(/Noor|kayak|sold/);
  });

  it("keeps tenants apart: alice's fact id is not found for bob in every operation, and his audit is his own", async () => {
    const id = await learn('Omar', 'lives in', 'Lima');
    for (const [query, variables] of [
      [HISTORY, { id }],
      [RETRACT, { id }],
      [CORRECT, { id, input: { object: 'Quito' } }],
      [FORGET_FACT, { id }],
    ] as const) {
      expect(code(await gql(query, variables, KEYS.bob))).toBe('NOT_FOUND');
    }
    const bobs = await auditOf(KEYS.bob);
    expect(bobs.filter((e) => e.target === id || e.actor === aliceActor)).toEqual([]);
    expect((await historyOf(id)).fact.retiredBy).toBeNull();
    expect(code(await gql(HISTORY, { id: '' }))).toBe('BAD_REQUEST');
  });
});

describe('background consolidation', () => {
  let worker: TestApp;
  beforeAll(async () => {
    worker = await startTestApp({
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_CONSOLIDATION_INTERVAL_MS: '100',
      MNEME_LLM_CONTEXT_SIZE: '2048',
    });
  });
  afterAll(() => worker.close());

  it('extracts facts from what was said on an extracting path, and reports its status', async () => {
    const ask = await postGraphql(
      worker.url,
      {
        query: 'mutation($input: AskInput!) { ask(input: $input) { route { path } } }',
        variables: { input: { prompt: 'Explain why Ada moved to Paris, step by step.', maxTokens: 2 } },
      },
      bearer(KEYS.alice),
    );
    expect(ask.body.data.ask.route.path).not.toBe('FAST'); // fast asks are not extracted by default
    const STATUS = '{ consolidation { pending running processed failures lastRun } }';
    let status: { pending: number; processed: number; failures: number; lastRun: string | null };
    const deadline = Date.now() + 20_000;
    do {
      await new Promise((r) => setTimeout(r, 100));
      status = (await postGraphql(worker.url, { query: STATUS }, bearer(KEYS.alice))).body.data.consolidation;
    } while (status.processed < 1 && Date.now() < deadline);
    expect(status).toMatchObject({ pending: 0, processed: 1, failures: 0 });
    expect(status.lastRun).not.toBeNull();
  });
});
