import { jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphQLClient } from 'graphql-request';
import { exportMemory, importMemory } from '../../src/cli/memory-archive.js';
import { FORGET, RECALL, ask, clientsOf, type Hit } from '../support/memory-queries.js';
import { tempDir } from '../support/memory-stack.js';
import { KEYS, bearer, startTestApp, type TestApp } from '../support/test-app.js';

// mneme export / mneme import against a running server, over its /v1/memory routes.

describe('memory archives over HTTP', () => {
  let server: TestApp;
  let alice: GraphQLClient;
  let bob: GraphQLClient;
  const dir = tempDir('archives');
  const quiet = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);

  beforeAll(async () => {
    server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false' });
    ({ alice, bob } = clientsOf(server.url));
  });
  afterAll(async () => {
    quiet.mockRestore();
    errors.mockRestore();
    await server.close();
  });

  const recall = async (client: GraphQLClient, query: string) =>
    (await client.request<{ recall: Hit[] }>(RECALL, { query, tiers: ['EPISODIC'] })).recall.map((h) => h.id);

  it('exports, forgets, imports: the same episodes are recalled; only the key’s own memory moves', async () => {
    await ask(alice, { prompt: 'My bike is the green one by the door.', sessionId: 'bike' });
    const before = await recall(alice, 'green bike');
    const out = path.join(dir, 'alice.jsonl');
    expect(await exportMemory({ url: server.url, key: KEYS.alice, out, vectors: true })).toBe(0);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; counts?: unknown });
    expect(lines[0]).toMatchObject({ kind: 'header', format: 'mneme-memory', vectors: true });
    expect(lines.at(-1)).toMatchObject({ kind: 'end', counts: { episodes: 2 } });
    // Bob's export holds none of it.
    const bobs = path.join(dir, 'bob.jsonl');
    expect(await exportMemory({ url: server.url, key: KEYS.bob, out: bobs, vectors: false })).toBe(0);
    expect(readFileSync(bobs, 'utf8')).not.toContain('green');

    expect(await importMemory({ url: server.url, key: KEYS.alice, file: out })).toBe(3); // not empty: 409
    await alice.request(FORGET, { input: { everything: true } });
    expect(await recall(alice, 'green bike')).toEqual([]);
    expect(await importMemory({ url: server.url, key: KEYS.alice, file: out })).toBe(0);
    expect(await recall(alice, 'green bike')).toEqual(before);
    expect(await recall(bob, 'green bike')).toEqual([]);

    // Bob merges Alice's archive into the memory he has: his stays, hers joins, and a second merge adds nothing.
    await ask(bob, { prompt: 'My kayak is the red one.', sessionId: 'kayak' });
    const merge = () => importMemory({ url: server.url, key: KEYS.bob, file: out, merge: true });
    expect(await merge()).toBe(0);
    expect(quiet).toHaveBeenLastCalledWith(expect.stringMatching(/^Merged 2 episodes, 0 skippedEpisodes, /));
    expect(await recall(bob, 'green bike')).toEqual(expect.arrayContaining(before));
    expect(await recall(bob, 'red kayak')).not.toEqual([]);
    expect(await merge()).toBe(0);
    expect(quiet).toHaveBeenLastCalledWith(expect.stringMatching(/^Merged 0 episodes, 2 skippedEpisodes, /));
  });

  it('answers bad requests with what to fix', async () => {
    // Bob's memory holds his merge by now: a merge is what can reach the archive's parsing.
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${server.url}/v1/memory/import?mode=merge`, {
        method: 'POST',
        headers: { ...bearer(KEYS.bob), ...headers },
        body,
      });
    const json = await post({ 'content-type': 'application/json' }, '{}');
    expect(json.status).toBe(415);
    const mode = await fetch(`${server.url}/v1/memory/import?mode=overwrite`, {
      method: 'POST',
      headers: { ...bearer(KEYS.bob), 'content-type': 'application/x-ndjson' },
      body: '',
    });
    expect(mode.status).toBe(400);
    expect(((await mode.json()) as { error: { message: string } }).error.message).toMatch(
      /restore .* or merge/,
    );
    const cut = await post({ 'content-type': 'application/x-ndjson' }, '{"kind":"header"}\n');
    expect(cut.status).toBe(400);
    expect(((await cut.json()) as { error: { message: string } }).error.message).toMatch(/archive line 1/);
    const vectors = await fetch(`${server.url}/v1/memory/export?vectors=maybe`, {
      headers: bearer(KEYS.bob),
    });
    expect(vectors.status).toBe(400);
    expect((await fetch(`${server.url}/v1/memory/export`)).status).toBe(401);
    expect(
      await exportMemory({
        url: server.url,
        key: 'wrong-key',
        out: path.join(dir, 'x.jsonl'),
        vectors: true,
      }),
    ).toBe(1);
  });
});
