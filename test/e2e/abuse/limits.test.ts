import { GraphQLClient, ClientError } from 'graphql-request';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../../support/test-app.js';

// Server-wide limits (issue #14): per-key rates on both faces, introspection off in production, a memory and
// event-loop guard that refuses new heavy work, and client disconnects recorded as cancellations (finding 14).

const ASK = 'mutation($i: AskInput!) { ask(input: $i) { text usage { completionTokens } } }';

async function codeOf(request: Promise<unknown>): Promise<{ code: string; retry: unknown }> {
  try {
    await request;
  } catch (error) {
    const first = (error as ClientError).response.errors?.[0];
    return { code: String(first?.extensions?.code), retry: first?.extensions?.retryAfterSeconds };
  }
  throw new Error('expected the request to be refused');
}

describe('per-key rate limits, in production mode', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({
      NODE_ENV: 'production',
      MNEME_RATE_LIMIT_REQUESTS: '8',
      MNEME_RATE_LIMIT_TOKENS: '6',
    });
  });
  afterAll(() => server.close());

  it('refuses introspection in production (GraphiQL and codegen need MNEME_GRAPHQL_INTROSPECTION)', async () => {
    const { status, body } = await postGraphql(
      server.url,
      { query: '{ __schema { types { name } } }' },
      bearer(KEYS.bob),
    );
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0].message).toMatch(/introspection/i);
  });

  it('answers the request over a key’s limit with 429, Retry-After and RATE_LIMITED, on both faces; other keys carry on', async () => {
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`${server.url}/v1/models`, { headers: bearer(KEYS.alice) });
      expect(response.status).toBe(200);
    }
    const rest = await fetch(`${server.url}/v1/models`, { headers: bearer(KEYS.alice) });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await rest.json()) as any).error).toMatchObject({
      code: 'RATE_LIMITED',
      type: 'rate_limit_error',
    });
    const graphql = await postGraphql(server.url, { query: '{ me { tenant } }' });
    expect(graphql.status).toBe(429);
    expect(graphql.body.errors[0].extensions.code).toBe('RATE_LIMITED');
    // A subscription is a request too.
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${KEYS.alice}` },
      retryAttempts: 0,
    });
    const refusal = await client
      .iterate({ query: 'subscription { alerts { kind } }' })
      .next()
      .then(
        () => undefined,
        (errors: unknown) => errors,
      );
    await client.dispose();
    expect(refusal).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) }),
    ]);
    const bob = await postGraphql(server.url, { query: '{ me { tenant } }' }, bearer(KEYS.bob));
    expect(bob.body.data.me.tenant).toBe('bob');
  });

  it('refuses generation once a key has spent its tokens for the minute', async () => {
    const bob = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.bob) });
    const first = await bob.request<{ ask: { usage: { completionTokens: number } } }>(ASK, {
      // Greedy: the same tokens on every machine (sampled, the random-weight model can stop early).
      i: { prompt: 'Count to ten.', maxTokens: 8, temperature: 0 },
    });
    expect(first.ask.usage.completionTokens).toBeGreaterThanOrEqual(6);
    const refused = await codeOf(bob.request(ASK, { i: { prompt: 'And again.', maxTokens: 8 } }));
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.retry).toEqual(expect.any(Number));
  });
});

describe('the memory and event-loop guard', () => {
  let server: TestApp;

  beforeAll(async () => {
    // One byte of resident memory: the process is over the threshold from its first sample on (once a second).
    server = await startTestApp({ MNEME_PRESSURE_MAX_RSS_BYTES: '1' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { body } = await postGraphql(server.url, {
        query: 'mutation { ask(input: { prompt: "x", maxTokens: 1 }) { text } }',
      });
      if (body.errors?.[0]?.extensions?.code === 'OVERLOADED') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(() => server.close());

  it('refuses new asks and media with OVERLOADED while probes and cheap reads still answer', async () => {
    const alice = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
    const refused = await codeOf(alice.request(ASK, { i: { prompt: 'hello', maxTokens: 2 } }));
    expect(refused).toEqual({ code: 'OVERLOADED', retry: 5 });
    const chat = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(KEYS.alice), 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(chat.status).toBe(429);
    expect(((await chat.json()) as any).error.message).toMatch(/MNEME_PRESSURE_MAX_RSS_BYTES/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await alice.request<{ me: { tenant: string } }>('{ me { tenant } }')).me.tenant).toBe('alice');
  });
});

describe('client disconnects', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp({ MNEME_SLO_CHECK_MS: '200', MNEME_SLO_MIN_SAMPLES: '1' });
  });
  afterAll(() => server.close());

  it('count as cancellations, not errors, so no error alert fires', async () => {
    for (let i = 0; i < 4; i++) {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...bearer(KEYS.alice), 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: [{ role: 'user', content: 'go on' }],
          max_tokens: 200,
          stream: true,
        }),
        signal: controller.signal,
      });
      await response.body!.getReader().read();
      controller.abort();
    }
    const query = '{ performance { stages { name count errorRate cancelled } alerts { kind subject } } }';
    let stage: any;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { body } = await postGraphql(server.url, { query });
      const stages: any[] = body.data.performance.stages;
      stage = stages.find((s) => s.name === 'llm.generate');
      if (stage?.cancelled >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(stage).toMatchObject({ cancelled: 4, errorRate: 0 });
    await new Promise((r) => setTimeout(r, 400)); // two alert checks
    const { body } = await postGraphql(server.url, { query });
    const alerts: any[] = body.data.performance.alerts;
    expect(alerts.filter((a) => a.kind === 'ERRORS')).toEqual([]);
  });
});
