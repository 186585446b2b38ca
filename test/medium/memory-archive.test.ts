import { ErrorCode } from '../../src/common/error-codes.js';
import { MemoryExport } from '../../src/modules/memory/archive/memory-export.service.js';
import { MemoryImport } from '../../src/modules/memory/archive/memory-import.service.js';
import type { CallContext } from '../../src/common/call-context.js';
import type { FactView } from '../../src/modules/memory/semantic/graph-store.js';
import { ctxOf, memoryStack, type FullStack } from '../support/memory-stack.js';

// Export → wipe → import on the real stores (LanceDB, kuzu, the fixture embedder): the same memory comes back.

const alice = ctxOf('alice');
const codeOf = (code: ErrorCode) => expect.objectContaining({ code });

async function* linesOf(texts: string[]): AsyncGenerator<string> {
  for (const text of texts) yield await Promise.resolve(text);
}

describe('memory archives', () => {
  let stack: FullStack;
  let exporter: MemoryExport;
  let importer: MemoryImport;
  beforeAll(async () => {
    stack = await memoryStack({ env: { MNEME_SEMANTIC_MERGE_THRESHOLD: '0' } }).open();
    exporter = new MemoryExport(stack.episodic, stack.graph, stack.embedder);
    importer = new MemoryImport(stack.episodic, stack.graph, stack.embedder, stack.audit, stack.semantic);
  });
  afterAll(() => stack.close());

  const exportOf = async (ctx: CallContext, vectors = true) => {
    const lines: string[] = [];
    for await (const line of exporter.lines({ vectors }, ctx)) lines.push(JSON.stringify(line));
    return lines;
  };
  /** What recall and the graph answer: the things a round trip must keep. */
  const snapshot = async (ctx: CallContext) => {
    const recall = async (query: string) =>
      (await stack.memory.recall(query, ['episodic'], 5, undefined, ctx)).map((h) => [h.id, h.text]);
    const ada = await stack.semantic.entity('Ada', ctx);
    const facts = ada ? await stack.semantic.facts(ada.id, { validAt: Date.UTC(2015, 0, 1) }, 10, ctx) : [];
    const current = ada ? await stack.semantic.facts(ada.id, {}, 10, ctx) : [];
    const history = current[0] ? (await stack.revisions.history(current[0].id, ctx)).history : [];
    const plain = (f: FactView) => [f.subject, f.predicate, f.object, f.validFrom, f.validTo, f.retiredBy];
    return {
      recall: [await recall('Lisbon flat'), await recall('umbrella'), await recall('piano lessons')],
      facts: facts.map(plain),
      current: current.map(plain),
      history: history.map(plain),
      summary: ada?.summary,
    };
  };

  it('gives back the same recall results, facts and history after export, forget everything and import', async () => {
    await stack.episodic.remember(
      [
        { sessionId: 'trip', role: 'user', text: 'We booked the Lisbon flat for June.' },
        { sessionId: 'trip', role: 'assistant', text: 'Lisbon: bring the blue umbrella.', importance: 0.9 },
        { sessionId: 'music', role: 'user', text: 'Piano lessons are on Thursdays at five.' },
      ],
      alice,
    );
    // An episode with an image: its shared-space vector must come back too.
    const { dims } = await stack.embedder.identity();
    const imageVector = Float32Array.from({ length: dims }, (_, i) => Math.sin(i + 1) / Math.sqrt(dims / 2));
    const [photo] = await stack.episodic.remember(
      [{ sessionId: 'trip', role: 'user', text: 'A photo of the flat.', modality: 'image', imageVector }],
      alice,
    );
    const media = async () =>
      (await stack.episodic.exportPage(undefined, 10, alice)).find((e) => e.id === photo!.id)?.imageVector;
    expect([...(await media())!]).toEqual([...imageVector]);
    await stack.semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'London', validFrom: Date.UTC(2010, 0, 1) },
      alice,
    );
    const paris = await stack.semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Paris', validFrom: Date.UTC(2020, 0, 1) },
      alice,
    );
    await stack.revisions.correct(paris.fact.id, { object: 'Lyon' }, 'misheard', alice);
    const before = await snapshot(alice);
    expect(before.history.map((f) => f[2])).toEqual(['London', 'London', 'Paris', 'Lyon']);
    const archive = await exportOf(alice);
    expect(JSON.parse(archive.at(-1)!)).toEqual({
      kind: 'end',
      counts: { episodes: 4, entities: 4, facts: 4, audit: 1 },
    });

    await stack.forgetting.forget({ everything: true }, alice);
    expect((await snapshot(alice)).recall).toEqual([[], [], []]);
    const imported = await importer.restore(linesOf(archive), alice);
    expect(imported).toEqual({ episodes: 4, entities: 4, facts: 4, audit: 1 });
    expect(await snapshot(alice)).toEqual(before);
    expect([...(await media())!]).toEqual([...imageVector]);
    const trail = await stack.audit.list(10, undefined, alice);
    // The trail outlived the forget, so the archive's copy of it is not added twice.
    expect(trail.map((a) => a.action)).toEqual(['import-memory', 'forget-everything', 'correct-fact']);
  });

  it('re-embeds an archive made without vectors, into another tenant, to the same recall results', async () => {
    const bob = ctxOf('bob-restored');
    const archive = await exportOf(alice, false);
    expect(archive.some((line) => line.includes('"vector"'))).toBe(false);
    await importer.restore(linesOf(archive), bob);
    const [mine, theirs] = [await snapshot(alice), await snapshot(bob)];
    expect({ ...theirs, recall: [] }).toEqual({ ...mine, recall: [] });
    // Text vectors are recomputed; media vectors cannot be (the media are not in memory): the photo's episode is
    // found by its words only, and everything else ranks as it did.
    const photo = (await stack.episodic.exportPage(undefined, 10, alice)).find((e) => e.imageVector)!;
    const texts = (recall: string[][][]) => recall.map((hits) => hits.filter(([id]) => id !== photo.id));
    expect(texts(theirs.recall)).toEqual(texts(mine.recall));
    const restored = await stack.episodic.exportPage(undefined, 10, bob);
    expect(restored.filter((e) => e.imageVector)).toEqual([]);
    // Tenants stay walls: alice's export never holds bob's copy, and the other way round.
    expect((await exportOf(ctxOf('nobody'))).map((l) => JSON.parse(l) as { kind: string })).toEqual([
      expect.objectContaining({ kind: 'header' }),
      { kind: 'end', counts: { episodes: 0, entities: 0, facts: 0, audit: 0 } },
    ]);
  });

  it('merges an archive into a memory of its own: held episodes skipped, facts placed in time, twice = once', async () => {
    const erin = ctxOf('erin');
    await stack.episodic.remember(
      [{ sessionId: 'own', role: 'user', text: 'Erin keeps bees in the garden.' }],
      erin,
    );
    const berlin = Date.UTC(2024, 0, 1);
    await stack.semantic.learn(
      { subject: 'Ada', predicate: 'lives in', object: 'Berlin', validFrom: berlin },
      erin,
    );
    const aliceBefore = await snapshot(alice);
    const archive = await exportOf(alice);

    // Alice's current facts: London until 2020 and Lyon since; her retired ones stay in the archive.
    expect(await importer.merge(linesOf(archive), erin)).toEqual({
      episodes: 4,
      skippedEpisodes: 0,
      facts: 2,
      historyFacts: 2,
    });
    const texts = async (query: string) =>
      (await stack.memory.recall(query, ['episodic'], 3, undefined, erin)).map((h) => h.text);
    expect(await texts('Lisbon flat')).toContain('We booked the Lisbon flat for June.');
    expect(await texts('bees garden')).toContain('Erin keeps bees in the garden.');
    const ada = (await stack.semantic.entity('Ada', erin))!;
    const livesIn = async (at: number) =>
      (await stack.semantic.facts(ada.id, { validAt: at }, 10, erin)).map((f) => f.object);
    // Erin's later statement (Berlin, 2024) stays current; Lyon, which Alice held current, becomes its past.
    expect(await livesIn(Date.UTC(2015, 0, 1))).toEqual(['London']);
    expect(await livesIn(Date.UTC(2022, 0, 1))).toEqual(['Lyon']);
    expect(await livesIn(Date.now())).toEqual(['Berlin']);
    const graph = await stack.graph.counts('erin');

    expect(await importer.merge(linesOf(archive), erin)).toEqual({
      episodes: 0,
      skippedEpisodes: 4,
      facts: 2, // reinforced, not added again
      historyFacts: 2,
    });
    expect(await stack.graph.counts('erin')).toEqual(graph);
    expect(await snapshot(alice)).toEqual(aliceBefore);

    // A merge that fails deletes the episodes it added, and only those: here the facts fail (their subject's
    // entity line is missing), after the episodes (under new ids) were stored.
    const held = (await stack.episodic.exportPage(undefined, 100, erin)).map((e) => e.id);
    const broken = archive
      .filter((line) => !line.includes('"kind":"entity"') || !line.includes('"name":"Ada"'))
      .map((line) => (line.includes('"kind":"episode"') ? line.replace('"id":"', '"id":"new-') : line))
      .map((line) => line.replace('"entities":4', '"entities":3'));
    await expect(importer.merge(linesOf(broken), erin)).rejects.toThrow(
      /an entity the archive does not hold/,
    );
    expect((await stack.episodic.exportPage(undefined, 100, erin)).map((e) => e.id)).toEqual(held);
  });

  it('refuses a tenant that holds memory, and a cut or malformed archive, leaving the tenant as it was', async () => {
    const archive = await exportOf(alice);
    await expect(importer.restore(linesOf(archive), alice)).rejects.toEqual(codeOf(ErrorCode.CONFLICT));
    const carol = ctxOf('carol');
    const empty = async () => {
      expect(await stack.episodic.exportPage(undefined, 10, carol)).toEqual([]);
      expect(await stack.graph.counts('carol')).toEqual({ entities: 0, facts: 0 });
    };
    await expect(importer.restore(linesOf(archive.slice(0, -1)), carol)).rejects.toThrow(/cut short/);
    await empty();
    // Two imports into one tenant at once: the second is refused, not interleaved.
    const both = await Promise.allSettled([
      importer.restore(linesOf(archive), ctxOf('dora')),
      importer.restore(linesOf(archive), ctxOf('dora')),
    ]);
    expect(both.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
    expect((both[1] as PromiseRejectedResult).reason).toEqual(codeOf(ErrorCode.CONFLICT));
    await expect(importer.restore(linesOf(['', ...archive.slice(1)]), carol)).rejects.toThrow(
      /header must come first/,
    );
    await empty();
    const broken = [...archive];
    broken[2] = '{"kind":"episode","id":""}';
    await expect(importer.restore(linesOf(broken), carol)).rejects.toThrow(/archive line 3: /);
    await empty();
    const lying = [
      ...archive.slice(0, -1),
      JSON.stringify({ kind: 'end', counts: { episodes: 9, entities: 4, facts: 4, audit: 2 } }),
    ];
    await expect(importer.restore(linesOf(lying), carol)).rejects.toEqual(codeOf(ErrorCode.BAD_REQUEST));
    await empty();
  });
});
