import { GraphQLClient, gql } from 'graphql-request';
import { FORGET, RECALL, ask, clientsOf, codeOf, type Hit } from '../support/memory-queries.js';
import { KEYS, bearer, startTestApp, type TestApp } from '../support/test-app.js';

// Memory written through the API without the LLM, and windows that survive a restart of an in-process server.

describe('memories written directly (remember)', () => {
  let server: TestApp;
  let alice: GraphQLClient;
  let bob: GraphQLClient;

  beforeAll(async () => {
    server = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false' });
    ({ alice, bob } = clientsOf(server.url));
  });
  afterAll(() => server.close());

  const REMEMBER = gql`
    mutation Remember($input: RememberInput!) {
      remember(input: $input) {
        id
        sessionId
        role
        text
        importance
        createdAt
      }
    }
  `;
  const REMEMBER_MANY = gql`
    mutation RememberMany($inputs: [RememberInput!]!) {
      rememberMany(inputs: $inputs) {
        id
        sessionId
        role
        text
        importance
        createdAt
      }
    }
  `;
  const EPISODE = gql`
    query Episode($id: ID!) {
      episode(id: $id) {
        id
        text
        sessionId
      }
    }
  `;
  type Stored = {
    id: string;
    sessionId: string;
    role: string;
    text: string;
    importance: number;
    createdAt: string;
  };
  const generations = async () => {
    const { models } = await alice.request<{ models: { kind: string; requests: number | null }[] }>(gql`
      {
        models {
          kind
          requests
        }
      }
    `);
    return models.filter((m) => m.kind === 'LLM').reduce((sum, m) => sum + (m.requests ?? 0), 0);
  };

  it('stores and recalls memories without a single generation; a named session’s window gets them', async () => {
    const before = await generations();
    const { remember } = await alice.request<{ remember: Stored }>(REMEMBER, {
      input: { text: 'My locker code is 4711.', sessionId: 'notes-1' },
    });
    expect(remember).toMatchObject({ sessionId: 'notes-1', role: 'user', text: 'My locker code is 4711.' });
    const { rememberMany } = await alice.request<{ rememberMany: Stored[] }>(REMEMBER_MANY, {
      inputs: [
        {
          text: 'We booked the Lisbon flat for June.',
          role: 'ASSISTANT',
          importance: 0.9,
          createdAt: '2025-01-02T03:04:05.000Z',
        },
        { text: 'Lisbon: bring the blue umbrella.' },
      ],
    });
    expect(rememberMany.map((e) => e.text)).toEqual([
      'We booked the Lisbon flat for June.',
      'Lisbon: bring the blue umbrella.',
    ]);
    expect(rememberMany[0]).toMatchObject({
      role: 'assistant',
      importance: 0.9,
      createdAt: '2025-01-02T03:04:05.000Z',
    });
    // Without a session, one new session holds the batch.
    expect(rememberMany[1]!.sessionId).toBe(rememberMany[0]!.sessionId);
    expect(rememberMany[0]!.sessionId).not.toBe('notes-1');
    const { recall } = await alice.request<{ recall: Hit[] }>(RECALL, {
      query: 'locker code',
      tiers: ['EPISODIC'],
    });
    expect(recall[0]?.id).toBe(remember.id);
    const { episode } = await alice.request<{ episode: Stored }>(EPISODE, { id: rememberMany[1]!.id });
    expect(episode.text).toBe('Lisbon: bring the blue umbrella.');
    expect(await generations()).toBe(before);
    // The next ask in that session has the remembered turn in its window.
    const next = await ask(alice, { prompt: 'What is my locker code?', sessionId: 'notes-1' });
    expect(JSON.stringify(next.ask.context)).toContain('My locker code is 4711.');
  });

  it('refuses what it cannot store, with what to fix', async () => {
    const bad = (input: Record<string, unknown>) => codeOf(alice.request(REMEMBER, { input }));
    expect(await bad({ text: '' })).toBe('BAD_REQUEST');
    expect(await bad({ text: 'x', sessionId: 'no spaces allowed' })).toBe('BAD_REQUEST');
    expect(await bad({ text: 'x', importance: 1.5 })).toBe('BAD_REQUEST');
    expect(await bad({ text: 'x', createdAt: new Date(Date.now() + 86_400_000).toISOString() })).toBe(
      'BAD_REQUEST',
    );
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ text: `note ${i}` }));
    expect(await codeOf(alice.request(REMEMBER_MANY, { inputs: tooMany }))).toBe('BAD_REQUEST');
    expect(await codeOf(alice.request(EPISODE, { id: '' }))).toBe('BAD_REQUEST');
    expect(await codeOf(alice.request(EPISODE, { id: 'no-such-episode' }))).toBe('NOT_FOUND');
  });

  it('walls tenants off: another tenant’s id is not found, and its memories are not recalled', async () => {
    const { remember } = await alice.request<{ remember: Stored }>(REMEMBER, {
      input: { text: 'The vault combination is 8-27-13.' },
    });
    expect(await codeOf(bob.request(EPISODE, { id: remember.id }))).toBe('NOT_FOUND');
    const { recall } = await bob.request<{ recall: Hit[] }>(RECALL, {
      query: 'vault combination',
      first: 100,
    });
    expect(recall.filter((h) => h.text.includes('vault'))).toEqual([]);
    const mine = await alice.request<{ episode: Stored }>(EPISODE, { id: remember.id });
    expect(mine.episode.text).toContain('8-27-13');
    const UPDATE = gql`
      mutation Update($id: ID!, $input: UpdateEpisodeInput!) {
        updateEpisode(id: $id, input: $input) {
          text
          importance
        }
      }
    `;
    const change = { id: remember.id, input: { text: 'The vault combination is 9-14-02.' } };
    expect(await codeOf(bob.request(UPDATE, change))).toBe('NOT_FOUND');
    expect(await codeOf(alice.request(UPDATE, { id: remember.id, input: {} }))).toBe('BAD_REQUEST');
    const { updateEpisode } = await alice.request<{ updateEpisode: Stored }>(UPDATE, change);
    expect(updateEpisode.text).toBe('The vault combination is 9-14-02.');
    const again = await alice.request<{ episode: Stored }>(EPISODE, { id: remember.id });
    expect(again.episode.text).toBe('The vault combination is 9-14-02.');
  });
  it('lists a new session among your sessions, and browses all your episodes newest first; not another tenant’s', async () => {
    const SESSIONS = gql`
      query Sessions($first: Int, $after: String) {
        sessions(first: $first, after: $after) {
          edges {
            cursor
            node {
              id
              turns
              firstAt
              lastAt
              summary
            }
          }
          pageInfo {
            hasNextPage
            endCursor
          }
        }
      }
    `;
    const ALL_EPISODES = gql`
      query AllEpisodes($first: Int, $from: DateTime) {
        episodes(first: $first, from: $from) {
          edges {
            node {
              text
              sessionId
            }
          }
        }
      }
    `;
    type Sessions = {
      sessions: { edges: { node: { id: string; turns: number } }[]; pageInfo: { hasNextPage: boolean } };
    };
    const start = new Date().toISOString();
    await ask(alice, { prompt: 'Remind me to water the ferns.', sessionId: 'ferns' });
    const { sessions } = await alice.request<Sessions>(SESSIONS, { first: 1 });
    expect(sessions.edges[0]!.node).toMatchObject({ id: 'ferns', turns: 2 });
    expect(sessions.pageInfo.hasNextPage).toBe(true);
    const { episodes } = await alice.request<{ episodes: { edges: { node: { text: string } }[] } }>(
      ALL_EPISODES,
      { first: 5, from: start },
    );
    expect(episodes.edges.map((e) => e.node.text).at(-1)).toBe('Remind me to water the ferns.');
    const theirs = await bob.request<Sessions>(SESSIONS, { first: 100 });
    expect(theirs.sessions.edges.map((e) => e.node.id)).not.toContain('ferns');
    expect(await codeOf(alice.request(SESSIONS, { after: 'not-a-cursor' }))).toBe('BAD_REQUEST');
  });
});

describe('memory in process across a restart', () => {
  it('brings a session’s window back from episodic memory, once, and not a forgotten one', async () => {
    const first = await startTestApp({ MNEME_PERCEPTION_PRELOAD: 'false' });
    const client = new GraphQLClient(`${first.url}/graphql`, { headers: bearer(KEYS.alice) });
    await ask(client, { prompt: 'I live in Porto.', sessionId: 'kept' });
    await ask(client, { prompt: 'My cat is called Miso.', sessionId: 'dropped' });
    await client.request(FORGET, { input: { sessionId: 'dropped' } });
    await first.close();

    const second = await startTestApp({
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_DATA_DIR: first.config.server.dataDir,
    });
    try {
      const again = new GraphQLClient(`${second.url}/graphql`, { headers: bearer(KEYS.alice) });
      const reply = await ask(again, { prompt: 'Where do I live?', sessionId: 'kept' });
      // The earlier turn is back as a turn of the conversation (its own message), not as a recalled memory.
      const turns = reply.ask.context!.slice(1, -1);
      expect(turns[0]).toEqual({ role: 'user', content: 'I live in Porto.' });
      expect(turns[1]!.role).toBe('assistant');
      const next = await ask(again, { prompt: 'And my cat?', sessionId: 'kept' });
      expect(next.ask.context!.filter((m) => m.content === 'I live in Porto.')).toHaveLength(1);
      const forgotten = await ask(again, { prompt: 'What is my cat called?', sessionId: 'dropped' });
      expect(JSON.stringify(forgotten.ask.context)).not.toContain('Miso');
      // The forget is on the audit trail, across the restart, as ids and counts without what was said.
      const { memoryAudit } = await again.request<{ memoryAudit: Record<string, unknown>[] }>(gql`
        {
          memoryAudit {
            action
            target
            episodes
          }
        }
      `);
      expect(memoryAudit).toContainEqual({ action: 'FORGET_SESSION', target: 'dropped', episodes: 2 });
      expect(JSON.stringify(memoryAudit)).not.toMatch(/Miso|cat/);
    } finally {
      await second.close();
    }
  });
});
