import path from 'node:path';
import kuzu from 'kuzu';
import { ErrorCode } from '../../src/common/error-codes.js';
import { KuzuGraphStore } from '../../src/modules/memory/semantic/kuzu-graph.store.js';
import { graphBackends } from '../support/graph-backends.js';
import { closeStacks, ctxOf, memoryStack, sharedEmbedder, tempDir } from '../support/memory-stack.js';

// History, retraction, correction and forgetting of single facts, with the audit trail they leave, on every
// reachable graph backend (test/support/graph-backends.ts).
const alice = { ...ctxOf('alice'), actor: 'key:aaaaaaaaaaaa' };
const bob = { ...ctxOf('bob'), actor: 'key:bbbbbbbbbbbb' };
const inYear = (y: number) => Date.UTC(y, 0, 1);
const codeOf = (code: ErrorCode) => expect.objectContaining({ code });

describe.each(graphBackends)('fact revisions on %s', (name, makeStore) => {
  async function memory() {
    const store = makeStore(tempDir('graph'));
    const stack = await memoryStack({
      only: 'semantic',
      env: { MNEME_SEMANTIC_MERGE_THRESHOLD: '0' },
      embedder: sharedEmbedder(),
      graph: store,
    }).open();
    if (name === 'neo4j') for (const tenant of ['alice', 'bob']) await store.forgetTenant(tenant);
    const livesIn = async (subjectId: string, at: { validAt?: number; knownAt?: number } = {}) =>
      (await stack.semantic.facts(subjectId, at, 10, alice))
        .filter((f) => f.predicate === 'lives_in')
        .map((f) => f.object);
    return { ...stack, livesIn };
  }
  afterEach(closeStacks);

  it('keeps every version of a fact: what it contradicted, the closed copy, and why each was retired', async () => {
    const { semantic, revisions } = await memory();
    const paris = await semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Paris', validFrom: inYear(2010) },
      alice,
    );
    const berlin = await semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Berlin', validFrom: inYear(2020) },
      alice,
    );
    const { fact, history } = await revisions.history(berlin.fact.id, alice);
    expect(fact).toMatchObject({ id: berlin.fact.id, lineage: paris.fact.id, retiredBy: null });
    expect(history.map((f) => [f.object, f.retiredBy, f.validTo])).toEqual([
      ['Paris', 'contradicted', null],
      ['Paris', null, inYear(2020)],
      ['Berlin', null, null],
    ]);
    expect(history[0]).toMatchObject({ id: paris.fact.id, supersededBy: berlin.fact.id });
    expect(history[0]!.expiredAt).not.toBeNull();
    // The old fact's own history is the same lineage.
    expect((await revisions.history(paris.fact.id, alice)).history).toHaveLength(3);
  });

  it('retracts a current fact with a reason: out of current knowledge, kept in history, audited', async () => {
    const { semantic, revisions, audit, livesIn } = await memory();
    const { fact } = await semantic.learn({ subject: 'Ada', predicate: 'lives in', object: 'Rome' }, alice);
    const learnedAt = Date.now();
    const retracted = await revisions.retract(fact.id, 'she never lived there', alice);
    expect(retracted).toMatchObject({ retiredBy: 'retracted', retiredReason: 'she never lived there' });
    expect(await livesIn(fact.subjectId)).toEqual([]);
    // What was known before the retraction still answers point-in-time questions.
    expect(await livesIn(fact.subjectId, { knownAt: learnedAt })).toEqual(['Rome']);
    expect((await semantic.entity('Ada', alice))!.summary).not.toContain('Rome');
    const { history } = await revisions.history(fact.id, alice);
    expect(history.map((f) => f.retiredBy)).toEqual(['retracted']);
    await expect(revisions.retract(fact.id, undefined, alice)).rejects.toEqual(codeOf(ErrorCode.CONFLICT));
    const [entry] = await audit.list(10, undefined, alice);
    expect(entry).toMatchObject({
      action: 'retract-fact',
      target: fact.id,
      actor: 'key:aaaaaaaaaaaa',
      facts: 1,
    });
  });

  it('corrects a fact in one step: the old one retired as corrected, the new one current in the same lineage', async () => {
    const { semantic, revisions, audit, livesIn } = await memory();
    const { fact } = await semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Lodnon', validFrom: inYear(2015), episodes: ['e1'] },
      alice,
    );
    const before = Date.now();
    const { retired, fact: fixed } = await revisions.correct(fact.id, { object: 'London' }, 'typo', alice);
    expect(retired).toMatchObject({
      id: fact.id,
      retiredBy: 'corrected',
      retiredReason: 'typo',
      supersededBy: fixed.id,
    });
    // Same time in the world as the fact it corrects; stated by the caller (forgetting e1 must not undo it).
    expect(fixed).toMatchObject({
      object: 'London',
      validFrom: inYear(2015),
      lineage: fact.lineage,
      episodes: [],
    });
    expect(await livesIn(fact.subjectId)).toEqual(['London']);
    expect(await livesIn(fact.subjectId, { validAt: inYear(2016) })).toEqual(['London']);
    expect(await livesIn(fact.subjectId, { knownAt: before })).toEqual(['Lodnon']);
    const { history } = await revisions.history(fixed.id, alice);
    expect(history.map((f) => [f.object, f.retiredBy])).toEqual([
      ['Lodnon', 'corrected'],
      ['London', null],
    ]);
    const [entry] = await audit.list(10, undefined, alice);
    expect(entry).toMatchObject({ action: 'correct-fact', target: fact.id, result: fixed.id });
    await expect(revisions.correct(fixed.id, { object: 'london' }, undefined, alice)).rejects.toEqual(
      codeOf(ErrorCode.BAD_REQUEST),
    );
    await expect(revisions.correct(fact.id, { object: 'Paris' }, undefined, alice)).rejects.toEqual(
      codeOf(ErrorCode.CONFLICT),
    );
  });

  it('corrects a fact about the past without retiring what is true now', async () => {
    const { semantic, revisions, livesIn } = await memory();
    await semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Paris', validFrom: inYear(2015) },
      alice,
    );
    const berlin = await semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Berlin', validFrom: inYear(2020) },
      alice,
    );
    const closed = (await revisions.history(berlin.fact.id, alice)).history.find((f) => f.validTo !== null)!;
    const { fact } = await revisions.correct(closed.id, { object: 'Lyon' }, 'it was Lyon', alice);
    expect(fact).toMatchObject({ object: 'Lyon', validFrom: inYear(2015), validTo: inYear(2020) });
    expect(await livesIn(berlin.fact.subjectId)).toEqual(['Berlin']);
    expect(await livesIn(berlin.fact.subjectId, { validAt: inYear(2016) })).toEqual(['Lyon']);
  });

  it('forgets a fact with every version of its statement, and what only it held; the audit holds no content', async () => {
    const { semantic, revisions, audit } = await memory();
    const kept = await semantic.learn({ subject: 'Zed', predicate: 'lives in', object: 'Oslo' }, alice);
    const acme = await semantic.learn({ subject: 'Yuri', predicate: 'works at', object: 'Acme' }, alice);
    const globex = await semantic.learn(
      { subject: 'Yuri', predicate: 'works at', object: 'Globex', validFrom: Date.now() + 1 },
      alice,
    );
    // Acme as it was first known and its closed copy go, and Acme with them; Globex (what replaced it) stays.
    expect(await revisions.forget(acme.fact.id, alice)).toEqual({ facts: 2, entities: 1 });
    await expect(revisions.history(acme.fact.id, alice)).rejects.toEqual(codeOf(ErrorCode.NOT_FOUND));
    expect(await semantic.entity('Acme', alice)).toBeUndefined();
    expect((await revisions.history(globex.fact.id, alice)).history.map((f) => f.object)).toEqual(['Globex']);
    expect((await semantic.entity('Yuri', alice))!.summary).not.toContain('Acme');
    // Then Globex: Yuri and Globex are held by nothing else; Zed and Oslo are another fact's.
    expect(await revisions.forget(globex.fact.id, alice)).toEqual({ facts: 1, entities: 2 });
    expect(await semantic.entity('Yuri', alice)).toBeUndefined();
    expect((await revisions.history(kept.fact.id, alice)).fact.object).toBe('Oslo');
    const trail = await audit.list(10, undefined, alice);
    expect(trail.slice(0, 2).map((a) => [a.action, a.target, a.facts, a.entities])).toEqual([
      ['forget-fact', globex.fact.id, 1, 2],
      ['forget-fact', acme.fact.id, 2, 1],
    ]);
    expect(JSON.stringify(trail)).not.toMatch(/Yuri|Acme|Globex|works/);
  });

  it("keeps tenants apart: another tenant's fact id is not found for every operation, and audits are separate", async () => {
    const { semantic, revisions, audit } = await memory();
    const { fact } = await semantic.learn({ subject: 'Ada', predicate: 'lives in', object: 'Paris' }, alice);
    const notFound = codeOf(ErrorCode.NOT_FOUND);
    await expect(revisions.history(fact.id, bob)).rejects.toEqual(notFound);
    await expect(revisions.retract(fact.id, 'x', bob)).rejects.toEqual(notFound);
    await expect(revisions.correct(fact.id, { object: 'Rome' }, undefined, bob)).rejects.toEqual(notFound);
    await expect(revisions.forget(fact.id, bob)).rejects.toEqual(notFound);
    await expect(revisions.history('', alice)).rejects.toEqual(codeOf(ErrorCode.BAD_REQUEST));
    await revisions.retract(fact.id, 'moved', alice);
    expect(await audit.list(10, undefined, bob)).toEqual([]);
    expect((await revisions.history(fact.id, alice)).fact.retiredBy).toBe('retracted');
  });
});

describe('a kuzu graph written before facts had a history', () => {
  afterEach(closeStacks);

  it('opens with its facts intact, each its own lineage, and they can be retracted', async () => {
    const dir = tempDir('graph');
    const file = path.join(dir, 'graph.kuzu');
    // The schema and one fact as the previous release wrote them (no history columns, no Audit table).
    const db = new kuzu.Database(file);
    const conn = new kuzu.Connection(db);
    for (const statement of [
      `CREATE NODE TABLE Entity(id STRING, tenant STRING, name STRING, norm STRING, type STRING, aliases STRING[],
         embedding FLOAT[], summary STRING, episodes STRING[], createdAt INT64, PRIMARY KEY(id))`,
      `CREATE REL TABLE Fact(FROM Entity TO Entity, id STRING, tenant STRING, predicate STRING, validFrom INT64,
         validTo INT64, createdAt INT64, expiredAt INT64, confidence DOUBLE, episodes STRING[])`,
      `CREATE NODE TABLE Name(key STRING, PRIMARY KEY(key))`,
      `CREATE REL TABLE NAMES(FROM Name TO Entity)`,
      `CREATE (:Entity {id: 'ada', tenant: 'alice', name: 'Ada', norm: 'ada', type: 'person', aliases: [],
         embedding: [], summary: '', episodes: [], createdAt: 1})`,
      `CREATE (:Entity {id: 'rome', tenant: 'alice', name: 'Rome', norm: 'rome', type: 'place', aliases: [],
         embedding: [], summary: '', episodes: [], createdAt: 1})`,
      `MATCH (s:Entity {id: 'ada'}), (o:Entity {id: 'rome'}) CREATE (s)-[:Fact {id: 'old', tenant: 'alice',
         predicate: 'lives_in', validFrom: 1, createdAt: 1, confidence: 1.0, episodes: []}]->(o)`,
    ]) {
      const result = await conn.query(statement);
      for (const r of Array.isArray(result) ? result : [result]) r.close();
    }
    await conn.close();
    await db.close();
    const { revisions } = await memoryStack({
      only: 'semantic',
      dataDir: dir,
      embedder: sharedEmbedder(),
      graph: new KuzuGraphStore(file),
    }).open();
    const { fact, history } = await revisions.history('old', alice);
    expect(fact).toMatchObject({ subject: 'Ada', object: 'Rome', lineage: 'old', retiredBy: null });
    expect(history.map((f) => f.id)).toEqual(['old']);
    expect(await revisions.retract('old', 'stale', alice)).toMatchObject({ retiredBy: 'retracted' });
  });
});
