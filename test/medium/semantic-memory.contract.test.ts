import { firstVersion } from '../../src/modules/memory/semantic/graph-store.js';
import { graphBackends } from '../support/graph-backends.js';
import { closeStacks, ctxOf, memoryStack, sharedEmbedder, tempDir } from '../support/memory-stack.js';

// One contract, every backend that is reachable (test/support/graph-backends.ts); Neo4j's test tenants are
// cleared when a test opens a new store (not when it reopens one to check what survived).
const backends = graphBackends;

const alice = ctxOf('alice');
const bob = ctxOf('bob');
const YEAR = 365.25 * 24 * 3600 * 1000;
const inYear = (y: number) => Date.UTC(y, 0, 1);

describe.each(backends)('semantic memory on %s', (name, makeStore) => {
  async function memory(env: Record<string, string> = {}, reopen?: string) {
    const dir = reopen ?? tempDir('graph');
    const store = makeStore(dir);
    // Names that share words merge whatever the (random) fixture embeddings say, unless a test raises the bar.
    const { semantic: service, close } = await memoryStack({
      only: 'semantic',
      dataDir: dir,
      env: { MNEME_SEMANTIC_MERGE_THRESHOLD: '0', ...env },
      embedder: sharedEmbedder(),
      graph: store,
    }).open();
    if (name === 'neo4j' && !reopen) for (const tenant of ['alice', 'bob']) await store.forgetTenant(tenant);
    return { service, dir, close };
  }
  afterEach(closeStacks);

  it('resolves "Ada Lovelace", "Ada" and "Lovelace" to one entity, named by its most specific name', async () => {
    const { service } = await memory();
    const first = await service.learn(
      { subject: 'Ada', subjectType: 'person', predicate: 'born in', object: 'London' },
      alice,
    );
    const second = await service.learn(
      { subject: 'Ada Lovelace', predicate: 'wrote', object: 'the Notes' },
      alice,
    );
    const third = await service.learn(
      { subject: 'Lovelace', predicate: 'worked with', object: 'Babbage' },
      alice,
    );
    expect(second.fact.subjectId).toBe(first.fact.subjectId);
    expect(third.fact.subjectId).toBe(first.fact.subjectId);
    const ada = await service.entity('ada', alice);
    expect(ada).toMatchObject({ name: 'Ada Lovelace', type: 'person' });
    expect(ada!.aliases.sort()).toEqual(['ada', 'lovelace']);
    expect((await service.entity('LOVELACE', alice))!.id).toBe(ada!.id);
    expect(first.fact.predicate).toBe('born_in');
  });

  it('keeps names apart when their embeddings are not close enough, or their types differ', async () => {
    const { service } = await memory({ MNEME_SEMANTIC_MERGE_THRESHOLD: '1' });
    const a = await service.learn({ subject: 'Ada Lovelace', predicate: 'born in', object: 'London' }, alice);
    const b = await service.learn({ subject: 'Ada', predicate: 'likes', object: 'tea' }, alice);
    expect(b.fact.subjectId).not.toBe(a.fact.subjectId);
    const { service: typed } = await memory();
    const person = await typed.learn(
      { subject: 'Paris', subjectType: 'person', predicate: 'knows', object: 'Helen' },
      alice,
    );
    const city = await typed.learn(
      { subject: 'Paris', subjectType: 'city', predicate: 'capital of', object: 'France' },
      alice,
    );
    expect(city.fact.subjectId).not.toBe(person.fact.subjectId);
  });

  it('retires a contradicted fact instead of deleting it, and answers point-in-time questions', async () => {
    const { service } = await memory();
    const london = await service.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'London', validFrom: inYear(2010) },
      alice,
    );
    const learnedLondonAt = Date.now();
    await new Promise((r) => setTimeout(r, 5));
    const paris = await service.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Paris', validFrom: inYear(2020) },
      alice,
    );
    expect(paris.retired.map((f) => [f.object, f.id])).toEqual([['London', london.fact.id]]);
    expect(paris.retired[0]!.expiredAt).not.toBeNull();
    const ada = paris.fact.subjectId;
    const livesIn = async (at: { validAt?: number; knownAt?: number }) =>
      (await service.facts(ada, at, 10, alice))
        .filter((f) => f.predicate === 'lives_in')
        .map((f) => [f.object, f.validTo]);
    expect(await livesIn({})).toEqual([['Paris', null]]);
    // True in 2015, as known now: the closed copy of the London fact.
    expect(await livesIn({ validAt: inYear(2015) })).toEqual([['London', inYear(2020)]]);
    // What we knew before Paris was learned: London, open-ended.
    expect(await livesIn({ knownAt: learnedLondonAt })).toEqual([['London', null]]);
    expect(await livesIn({ validAt: inYear(2000) })).toEqual([]);
    // The entities' summaries follow their current facts.
    expect((await service.entity('Ada', alice))!.summary).toBe('Ada: lives in Paris');
    expect((await service.entity('Paris', alice))!.summary).toBe('Paris: Ada lives in it');
  });

  it('holds several objects of a multi-valued predicate, and reinforces a repeated fact instead of duplicating it', async () => {
    const { service } = await memory();
    await service.learn({ subject: 'Ada', predicate: 'knows', object: 'Charles', episodes: ['e1'] }, alice);
    const carol = await service.learn({ subject: 'Ada', predicate: 'knows', object: 'Mary' }, alice);
    expect(carol.retired).toEqual([]);
    const again = await service.learn(
      { subject: 'Ada', predicate: 'knows', object: 'Charles', episodes: ['e2'], confidence: 0.5 },
      alice,
    );
    expect(again.reinforced).toBe(true);
    expect(again.fact.episodes.sort()).toEqual(['e1', 'e2']);
    const known = await service.facts(carol.fact.subjectId, {}, 10, alice);
    expect(known.map((f) => f.object).sort()).toEqual(['Charles', 'Mary']);
  });

  it('walks current facts up to three hops, nearest first, never through retired ones', async () => {
    const { service } = await memory();
    await service.learn({ subject: 'A1', predicate: 'knows', object: 'B2' }, alice);
    await service.learn({ subject: 'B2', predicate: 'knows', object: 'C3' }, alice);
    await service.learn({ subject: 'C3', predicate: 'knows', object: 'D4' }, alice);
    const cut = await service.learn({ subject: 'A1', predicate: 'lives in', object: 'Old Town' }, alice);
    await service.learn({ subject: 'A1', predicate: 'lives in', object: 'New Town' }, alice);
    const a = cut.fact.subjectId;
    const names = async (hops: 1 | 2 | 3) =>
      (await service.neighborhood(a, hops, 10, alice)).map((n) => [n.entity.name, n.hops]);
    expect(await names(1)).toEqual([
      ['B2', 1],
      ['New Town', 1],
    ]);
    expect(await names(2)).toEqual([
      ['B2', 1],
      ['New Town', 1],
      ['C3', 2],
    ]);
    expect(await names(3)).toEqual([
      ['B2', 1],
      ['New Town', 1],
      ['C3', 2],
      ['D4', 3],
    ]);
  });

  it('keeps tenants apart: no lookup, fact or walk crosses', async () => {
    const { service } = await memory();
    const mine = await service.learn({ subject: 'Ada', predicate: 'lives in', object: 'London' }, alice);
    expect(await service.entity('Ada', bob)).toBeUndefined();
    expect(await service.facts(mine.fact.subjectId, {}, 10, bob)).toEqual([]);
    expect(await service.neighborhood(mine.fact.subjectId, 2, 10, bob)).toEqual([]);
    const theirs = await service.learn({ subject: 'Ada', predicate: 'lives in', object: 'Paris' }, bob);
    expect(theirs.fact.subjectId).not.toBe(mine.fact.subjectId);
    expect(theirs.retired).toEqual([]);
    expect((await service.facts(mine.fact.subjectId, {}, 10, alice)).map((f) => f.object)).toEqual([
      'London',
    ]);
    expect(await service.forgetEverything(bob)).toEqual({ facts: 1, entities: 2 });
    expect(await service.entity('Ada', alice)).toBeDefined();
  });

  it('forgets what only forgotten episodes taught, keeps what others (or the user) did', async () => {
    const { service } = await memory();
    const only = await service.learn(
      { subject: 'Ada', predicate: 'likes', object: 'Opera', episodes: ['e1'] },
      alice,
    );
    const shared = await service.learn(
      { subject: 'Ada', predicate: 'knows', object: 'Charles', episodes: ['e1', 'e2'] },
      alice,
    );
    const stated = await service.learn({ subject: 'Ada', predicate: 'born in', object: 'London' }, alice);
    const counts = await service.forgetEpisodes(['e1'], alice);
    expect(counts).toEqual({ facts: 1, entities: 1 }); // the Opera fact and the Opera entity
    const ada = stated.fact.subjectId;
    const left = await service.facts(ada, {}, 10, alice);
    expect(left.map((f) => f.object).sort()).toEqual(['Charles', 'London']);
    expect(left.find((f) => f.id === shared.fact.id)!.episodes).toEqual(['e2']);
    expect(await service.entity('Opera', alice)).toBeUndefined();
    expect(only.fact.objectId).not.toBe(ada);
    expect(await service.forgetEpisodes(['e2'], alice)).toEqual({ facts: 1, entities: 1 }); // Charles
    expect((await service.facts(ada, {}, 10, alice)).map((f) => f.object)).toEqual(['London']);
  });

  it('keeps everything across a restart', async () => {
    const { service, dir, close } = await memory();
    const learned = await service.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'London', validFrom: Date.now() - YEAR },
      alice,
    );
    await close();
    const { service: reopened } = await memory({}, dir);
    expect((await reopened.facts(learned.fact.subjectId, {}, 10, alice)).map((f) => f.id)).toEqual([
      learned.fact.id,
    ]);
  });

  it('stores embeddings exactly (whole numbers included) and bulk-loads a graph it can query', async () => {
    const store = makeStore(tempDir('graph'));
    await store.init();
    try {
      const entity = (id: string, name: string, tenant = 'alice') => ({
        id,
        tenant,
        name,
        norm: name.toLowerCase(),
        type: 'person',
        aliases: [],
        embedding: [1, 0.5, -0.25, 0],
        summary: '',
        episodes: [],
        createdAt: 1000,
      });
      await store.createEntity(entity('x', 'Xavier'));
      expect((await store.entity('alice', 'x'))!.embedding).toEqual([1, 0.5, -0.25, 0]);
      const fact = (id: string, subjectId: string, objectId: string, tenant = 'alice') => ({
        id,
        ...firstVersion(id),
        tenant,
        subjectId,
        predicate: 'knows',
        objectId,
        validFrom: 0,
        validTo: null,
        createdAt: 1000,
        expiredAt: null,
        confidence: 0.75,
        episodes: ['e1'],
      });
      await store.bulkLoad(
        'alice',
        [entity('y', 'Yara'), entity('z', 'Zeno')],
        [fact('f1', 'x', 'y'), fact('f2', 'y', 'z')],
      );
      expect((await store.entitiesNamed('alice', 'yara')).map((e) => e.id)).toEqual(['y']);
      const window = { validAt: Date.now(), knownAt: Date.now() };
      expect((await store.factsAbout('alice', 'y', window, 10)).map((f) => f.id).sort()).toEqual([
        'f1',
        'f2',
      ]);
      expect((await store.factsAbout('alice', 'y', window, 10))[0]!.confidence).toBe(0.75);
      // Another tenant's rows, or an endpoint of another tenant, are refused and nothing is written.
      await store.createEntity(entity('b1', 'Bob', 'bob'));
      await expect(
        store.bulkLoad('alice', [entity('w', 'Wanda')], [fact('f3', 'w', 'b1')]),
      ).rejects.toThrow();
      expect(await store.entity('alice', 'w')).toBeUndefined();
      await expect(store.bulkLoad('alice', [entity('v', 'Vera', 'bob')], [])).rejects.toThrow();
      expect(await store.counts('alice')).toEqual({ entities: 3, facts: 2 });
    } finally {
      await store.close();
    }
  });
});
