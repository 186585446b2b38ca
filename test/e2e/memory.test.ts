import { GraphQLClient } from 'graphql-request';
import {
  EPISODES,
  FORGET,
  RECALL,
  ask,
  clientsOf,
  codeOf,
  type AskResult,
  type Hit,
} from '../support/memory-queries.js';
import { startRedis, type RedisProcess } from '../support/redis-server.js';
import { KEYS, bearer, spans, startTestApp, type TestApp } from '../support/test-app.js';

describe('memory over GraphQL (in-process working memory, LanceDB episodic)', () => {
  let server: TestApp;
  let alice: GraphQLClient;
  let bob: GraphQLClient;

  beforeAll(async () => {
    server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false' });
    ({ alice, bob } = clientsOf(server.url));
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers the second turn with the first one in its prompt, and says which memories it used', async () => {
    const first = await ask(alice, { prompt: 'My favourite colour is teal.', sessionId: 'conv-1' });
    expect(first.ask.sessionId).toBe('conv-1');
    expect(first.ask.memory.used).toEqual([]);
    expect(first.ask.memory.remembered).toHaveLength(2);

    const second = await ask(alice, { prompt: 'What is my favourite colour?', sessionId: 'conv-1' });
    const context = second.ask.context!;
    expect(context.slice(-3)).toEqual([
      { role: 'user', content: 'My favourite colour is teal.' },
      { role: 'assistant', content: first.ask.text },
      { role: 'user', content: 'What is my favourite colour?' },
    ]);
    expect(second.ask.memory.used).toEqual(
      expect.arrayContaining(first.ask.memory.remembered.map((id) => ({ id, tier: 'WORKING' }))),
    );
    // A span per memory access, with tier and operation, and no tenant in the attributes.
    const memorySpans = spans.getFinishedSpans().filter((s) => s.name.startsWith('memory.'));
    expect(memorySpans.map((s) => `${s.name}:${String(s.attributes['memory.operation'])}`)).toEqual(
      expect.arrayContaining([
        'memory.working:window',
        'memory.working:append',
        'memory.episodic:recall',
        'memory.episodic:remember',
      ]),
    );
    for (const span of memorySpans) expect(JSON.stringify(span.attributes)).not.toContain('alice');
  });

  it('lays the prompt out stable to volatile, and the next turn reuses the evaluated prefix from the cache', async () => {
    await ask(alice, { prompt: 'My sister Maria lives in Lisbon.', sessionId: 'layout-old' });
    const first = await ask(alice, { prompt: 'I am planning a visit to Maria.', sessionId: 'layout' });
    const second = await ask(alice, { prompt: 'Where does Maria live?', sessionId: 'layout' });
    expect(first.ask.usage.cachedPromptTokens).toBeLessThan(first.ask.usage.promptTokens);
    expect(second.ask.usage.cachedPromptTokens).toBeGreaterThan(0);
    const context = second.ask.context!;
    // System prompt only (no summary yet), the session's turns as turns, then this turn's recalled memory and
    // the question in one last message.
    expect(context.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(context[0]!.content).toBe('You are Mneme, a helpful assistant. Answer concisely.');
    expect(context[1]).toEqual({ role: 'user', content: 'I am planning a visit to Maria.' });
    const last = context.at(-1)!.content;
    expect(last).toContain('My sister Maria lives in Lisbon.');
    expect(last.endsWith('Message:\nWhere does Maria live?')).toBe(true);
    // The window's turn is not recalled a second time.
    expect(last).not.toContain('I am planning a visit to Maria.');
  });

  it('assigns a session when the ask has none, so the caller can continue it', async () => {
    const first = await ask(alice, { prompt: 'Hello there' });
    expect(first.ask.sessionId).toMatch(/^s-[0-9a-f-]{36}$/);
    const second = await ask(alice, { prompt: 'Again', sessionId: first.ask.sessionId });
    expect(second.ask.context!.some((m) => m.content === 'Hello there')).toBe(true);
  });

  it('recalls across sessions: an episode from one session comes back in another session’s prompt', async () => {
    await ask(alice, { prompt: 'The secret word is pumpernickel.', sessionId: 'conv-secret' });
    const { recall } = await alice.request<{ recall: Hit[] }>(RECALL, {
      query: 'pumpernickel',
      tiers: ['EPISODIC'],
    });
    expect(recall[0]).toMatchObject({
      tier: 'EPISODIC',
      sessionId: 'conv-secret',
      role: 'user',
      text: 'The secret word is pumpernickel.',
    });

    const other = await ask(alice, { prompt: 'pumpernickel?', sessionId: 'conv-other' });
    expect(other.ask.context!.at(-1)!.content).toContain('The secret word is pumpernickel.');
    expect(other.ask.memory.used).toContainEqual({ id: recall[0]!.id, tier: 'EPISODIC' });
  });

  it('walls tenants off: bob never sees alice’s memories', async () => {
    const { recall } = await bob.request<{ recall: Hit[] }>(RECALL, {
      query: 'pumpernickel teal colour',
      first: 100,
    });
    expect(recall.filter((h) => h.text.includes('pumpernickel') || h.text.includes('teal'))).toEqual([]);
    const { episodes } = await bob.request<{ episodes: { edges: unknown[] } }>(EPISODES, {
      sessionId: 'conv-secret',
    });
    expect(episodes.edges).toEqual([]);
    const bobAsk = await ask(bob, { prompt: 'pumpernickel?', sessionId: 'conv-1' });
    expect(JSON.stringify(bobAsk.ask.context)).not.toMatch(/pumpernickel\.|teal/);
    const aliceEpisode = (
      await alice.request<{ recall: Hit[] }>(RECALL, { query: 'pumpernickel', tiers: ['EPISODIC'] })
    ).recall[0]!;
    expect(await codeOf(bob.request(FORGET, { input: { episodeId: aliceEpisode.id } }))).toBe('NOT_FOUND');
    // Still there for alice.
    const again = await alice.request<{ recall: Hit[] }>(RECALL, {
      query: 'pumpernickel',
      tiers: ['EPISODIC'],
    });
    expect(again.recall.map((h) => h.id)).toContain(aliceEpisode.id);
  });

  it('pages a session’s episodes oldest first with a cursor, and bounds first', async () => {
    type Page = {
      episodes: {
        edges: { cursor: string; node: { text: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const p1 = await alice.request<Page>(EPISODES, { sessionId: 'conv-1', first: 3 });
    expect(p1.episodes.edges.map((e) => e.node.text).slice(0, 1)).toEqual(['My favourite colour is teal.']);
    expect(p1.episodes.pageInfo.hasNextPage).toBe(true);
    const p2 = await alice.request<Page>(EPISODES, {
      sessionId: 'conv-1',
      first: 3,
      after: p1.episodes.pageInfo.endCursor,
    });
    expect(p2.episodes.edges.map((e) => e.node.text)).toEqual([expect.any(String)]); // 4 episodes: 3 + 1
    expect(p2.episodes.pageInfo).toEqual({ hasNextPage: false, endCursor: p2.episodes.edges[0]!.cursor });
    expect(await codeOf(alice.request(EPISODES, { sessionId: 'conv-1', first: 1000 }))).toBe('BAD_REQUEST');
    expect(await codeOf(alice.request(RECALL, { query: 'x', tiers: ['WORKING'] }))).toBe('BAD_REQUEST');
    expect(await codeOf(alice.request(EPISODES, { sessionId: 'conv-1', after: 'not-a-cursor' }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('forgets a session in every tier, answering the counts, and it never comes back', async () => {
    const counts = await alice.request<{ forget: { working: number; episodic: number; total: number } }>(
      FORGET,
      {
        input: { sessionId: 'conv-secret' },
      },
    );
    expect(counts.forget).toEqual({ working: 2, episodic: 2, total: 4 });
    const { recall } = await alice.request<{ recall: Hit[] }>(RECALL, { query: 'pumpernickel', first: 100 });
    expect(recall.filter((h) => h.sessionId === 'conv-secret')).toEqual([]);
    const next = await ask(alice, { prompt: 'pumpernickel?', sessionId: 'conv-after-forget' });
    expect(JSON.stringify(next.ask.context)).not.toContain('The secret word');
  });

  it('forgets one episode and everything; refuses an ambiguous forget', async () => {
    const turn = await ask(alice, { prompt: 'Forget me soon', sessionId: 'conv-one' });
    const [questionId] = turn.ask.memory.remembered;
    const one = await alice.request<{ forget: { working: number; episodic: number; promptCache: number } }>(
      'mutation($input: ForgetInput!) { forget(input: $input) { working episodic total promptCache } }',
      { input: { episodeId: questionId } },
    );
    expect(one.forget).toMatchObject({ working: 1, episodic: 1, total: 2 });
    // The sequence that just answered holds the session's words: its cached state goes with the episode.
    expect(one.forget.promptCache).toBeGreaterThanOrEqual(1);
    expect(await codeOf(alice.request(FORGET, { input: { sessionId: 'x', everything: true } }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(alice.request(FORGET, { input: {} }))).toBe('BAD_REQUEST');
    const all = await alice.request<{ forget: { working: number; episodic: number } }>(FORGET, {
      input: { everything: true },
    });
    expect(all.forget.episodic).toBeGreaterThan(0);
    expect(all.forget.working).toBeGreaterThan(0);
    const { recall } = await alice.request<{ recall: Hit[] }>(RECALL, {
      query: 'colour teal hello',
      first: 100,
    });
    expect(recall).toEqual([]);
    // Bob's memory is untouched by alice forgetting everything.
    const { episodes } = await bob.request<{ episodes: { edges: unknown[] } }>(EPISODES, {
      sessionId: 'conv-1',
    });
    expect(episodes.edges.length).toBeGreaterThan(0);
  });
});

describe('memory with Redis working memory', () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('keeps the conversation across a server restart', async () => {
    const env = { MNEME_REDIS_URL: redis.url, MNEME_PERCEPTION_PRELOAD: 'false' };
    const first = await startTestApp(env);
    const client = new GraphQLClient(`${first.url}/graphql`, { headers: bearer(KEYS.alice) });
    await ask(client, { prompt: 'I live in Porto.', sessionId: 'restart' });
    await first.close();

    const second = await startTestApp({ ...env, MNEME_DATA_DIR: first.config.server.dataDir });
    try {
      const again = new GraphQLClient(`${second.url}/graphql`, { headers: bearer(KEYS.alice) });
      const reply = await ask(again, { prompt: 'Where do I live?', sessionId: 'restart' });
      expect(reply.ask.context!.slice(-3)[0]).toEqual({ role: 'user', content: 'I live in Porto.' });
    } finally {
      await second.close();
    }
  });

  it('answers STORE_UNAVAILABLE while Redis is down, keeps serving, and recovers by itself', async () => {
    const server = await startTestApp({ MNEME_REDIS_URL: redis.url, MNEME_PERCEPTION_PRELOAD: 'false' });
    try {
      const client = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
      await ask(client, { prompt: 'Before the outage', sessionId: 'outage' });
      await redis.stop();
      try {
        expect(await codeOf(ask(client, { prompt: 'During the outage', sessionId: 'outage' }))).toBe(
          'STORE_UNAVAILABLE',
        );
        // The server still serves what does not need Redis, and episodic memory written before is intact.
        const { recall } = await client.request<{ recall: Hit[] }>(RECALL, {
          query: 'outage',
          tiers: ['EPISODIC'],
        });
        expect(recall.map((h) => h.text)).toContain('Before the outage');
      } finally {
        await redis.start();
      }
      let answered: AskResult | undefined;
      for (let i = 0; i < 50 && !answered; i++) {
        answered = await ask(client, { prompt: 'After the outage', sessionId: 'outage-2' }).catch(
          async () => {
            await new Promise((r) => setTimeout(r, 100));
            return undefined;
          },
        );
      }
      expect(answered?.ask.memory.warnings).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('with MNEME_MEMORY_DEGRADE, answers without working memory and says so', async () => {
    const server = await startTestApp({
      MNEME_REDIS_URL: redis.url,
      MNEME_MEMORY_DEGRADE: 'true',
      MNEME_PERCEPTION_PRELOAD: 'false',
    });
    try {
      const client = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
      await redis.stop();
      try {
        const reply = await ask(client, { prompt: 'Degraded hello', sessionId: 'degraded' });
        expect(reply.ask.text.length).toBeGreaterThan(0);
        expect(reply.ask.memory.degraded).toEqual(['WORKING']);
        expect(reply.ask.memory.warnings).toEqual([
          expect.stringMatching(/^not remembered in working memory: .*Redis/),
        ]);
        // The episodic tier still remembered it.
        const { recall } = await client.request<{ recall: Hit[] }>(RECALL, {
          query: 'Degraded hello',
          tiers: ['EPISODIC'],
        });
        expect(recall.map((h) => h.text)).toContain('Degraded hello');
      } finally {
        await redis.start();
      }
    } finally {
      await server.close();
    }
  });
});
