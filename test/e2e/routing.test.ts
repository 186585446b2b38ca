import { GraphQLClient, gql } from 'graphql-request';
import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

const ASK = `mutation Ask($input: AskInput!) {
  ask(input: $input) { text route { path reason steppedDown scores { fast medium deep } } }
}`;
const PATHS_QUERY = gql`
  {
    paths {
      path
      concurrency
      queueLimit
      active
      queued
      peakQueued
      admitted
      refused
    }
  }
`;

interface PathStatus {
  path: string;
  queueLimit: number;
  active: number;
  queued: number;
  peakQueued: number;
  admitted: number;
  refused: number;
}
interface AskBody {
  data?: { ask: { text: string; route: { path: string; reason: string; steppedDown: boolean } } } | null;
  errors?: { message: string; extensions: { code: string; retryAfterSeconds?: number } }[];
}

describe('routing and admission', () => {
  let server: TestApp;
  let alice: GraphQLClient;
  const paths = async () => (await alice.request<{ paths: PathStatus[] }>(PATHS_QUERY)).paths;

  beforeAll(async () => {
    server = await startTestApp({
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_ROUTING_PATHS: JSON.stringify({
        // No escalation here (escalation.test covers it): an unsure noise answer would re-route to MEDIUM.
        fast: { concurrency: 1, queue: 3, targetMs: 60_000, escalate: false },
        medium: { concurrency: 1, queue: 2, targetMs: 60_000 },
        deep: { concurrency: 1, queue: 0, targetMs: 60_000 },
      }),
      MNEME_ROUTING_FORCE_TENANTS: 'alice',
      MNEME_ROUTING_STEP_DOWN_TENANTS: 'alice',
    });
    alice = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
  });
  afterAll(async () => {
    await server.close();
  });

  const ask = (input: Record<string, unknown>, key: string = KEYS.alice) =>
    postGraphql(
      server.url,
      { query: ASK, variables: { input: { maxTokens: 4, temperature: 0, ...input } } },
      bearer(key),
    ) as Promise<{
      status: number;
      body: AskBody;
    }>;

  it('routes a greeting to FAST and a reasoning request to DEEP, saying why', async () => {
    const hi = await ask({ prompt: 'Hi' });
    expect(hi.body.data?.ask.route).toMatchObject({
      path: 'FAST',
      reason: 'short, no reasoning cues',
      steppedDown: false,
    });
    const hard = await ask({
      prompt: 'Solve step by step: how many apples are left if 3 * 7 are eaten from 50? Explain why.',
    });
    expect(hard.body.data?.ask.route.path).toBe('DEEP');
    expect(hard.body.data?.ask.route.reason).toMatch(/arithmetic.*multi-step.*explanation/);
  });

  it('lets a tenant allowed to force pick the path with a hint; others only ask', async () => {
    const forced = await ask({ prompt: 'Hi', hint: 'MEDIUM' });
    expect(forced.body.data?.ask.route).toMatchObject({ path: 'MEDIUM' });
    expect(forced.body.data?.ask.route.reason).toMatch(/^forced by hint medium/);
    const asked = await ask({ prompt: 'Hi', hint: 'DEEP' }, KEYS.bob);
    expect(asked.body.data?.ask.route.path).toBe('FAST');
    expect(asked.body.data?.ask.route.reason).toContain('hint deep outweighed');
  });

  it('answers or refuses every request of a flood, never queues past the bound, and serves the next one', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const flood = await Promise.all(Array.from({ length: 24 }, () => ask({ prompt: 'Hi', maxTokens: 24 })));
    const answered = flood.filter((r) => r.body.data?.ask.text !== undefined);
    const refused = flood.filter((r) => r.body.errors?.[0]?.extensions.code === 'OVERLOADED');
    // Nothing lost: every request got one or the other.
    expect(answered.length + refused.length).toBe(24);
    expect(answered.length).toBeGreaterThanOrEqual(4); // one running + three queued at least
    expect(refused.length).toBeGreaterThan(0);
    const refusal = refused[0]!.body.errors![0]!;
    expect(refusal.message).toMatch(/fast path is busy .*Retry in \d+ s/);
    expect(refusal.extensions.retryAfterSeconds).toBeGreaterThanOrEqual(1);

    const fast = (await paths()).find((p) => p.path === 'FAST')!;
    expect(fast.peakQueued).toBeLessThanOrEqual(fast.queueLimit);
    expect(fast).toMatchObject({ active: 0, queued: 0 });
    expect(fast.refused).toBeGreaterThanOrEqual(refused.length);

    const next = await ask({ prompt: 'Hi' });
    expect(next.body.data?.ask.text).toEqual(expect.any(String));
    // No request left anything behind (a generous bound: one flood's worth of buffers, not a leak per request).
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses REST chat floods with 429 and a Retry-After header', async () => {
    const chat = () =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(KEYS.alice) },
        body: JSON.stringify({
          model: 'default',
          messages: [{ role: 'user', content: 'Hi' }],
          max_tokens: 24,
        }),
      });
    const replies = await Promise.all(Array.from({ length: 16 }, chat));
    const statuses = replies.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    const tooMany = replies.find((r) => r.status === 429);
    expect(tooMany).toBeDefined();
    expect(Number(tooMany!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await tooMany!.json()).toMatchObject({ error: { code: 'OVERLOADED' } });
    await Promise.all(replies.filter((r) => !r.bodyUsed).map((r) => r.text()));
  });

  it('steps a deep request down to medium when deep is full and the tenant allows it', async () => {
    const long = ask({ prompt: 'Hi', hint: 'DEEP', maxTokens: 300 }); // holds the one deep slot
    await new Promise((r) => setTimeout(r, 150));
    const second = await ask({ prompt: 'Hi', hint: 'DEEP' });
    expect(second.body.data?.ask.route).toMatchObject({ path: 'MEDIUM', steppedDown: true });
    expect(second.body.data?.ask.route.reason).toContain('stepped down from deep under load');
    expect((await long).body.data?.ask.route.path).toBe('DEEP');
    // Bob may not step down: with deep held, his deep request is refused.
    const holder = ask({ prompt: 'Hi', hint: 'DEEP', maxTokens: 300 });
    await new Promise((r) => setTimeout(r, 150));
    const bob = await ask(
      { prompt: 'Solve step by step: 12 * 7? Explain why, in a detailed essay.', maxTokens: 4 },
      KEYS.bob,
    );
    expect(bob.body.errors?.[0]?.extensions.code).toBe('OVERLOADED');
    expect(bob.body.errors?.[0]?.message).toMatch(/deep path is busy/);
    await holder;
  });

  it('samples several answers on the deep path and returns the majority with agreement and diversity', async () => {
    const { body } = await postGraphql(server.url, {
      query: `mutation($input: AskInput!) { ask(input: $input) {
        text usage { completionTokens } route { path }
        consistency { samples agreement diversity totalCompletionTokens } } }`,
      variables: { input: { prompt: 'What is 6 * 7?', hint: 'DEEP', samples: 3, maxTokens: 6 } },
    });
    const answer = (
      body as {
        data: {
          ask: {
            text: string;
            usage: { completionTokens: number };
            route: { path: string };
            consistency: {
              samples: number;
              agreement: number;
              diversity: number;
              totalCompletionTokens: number;
            };
          };
        };
      }
    ).data.ask;
    expect(answer.route.path).toBe('DEEP');
    expect(answer.consistency.samples).toBe(3);
    expect(answer.consistency.agreement).toBeGreaterThanOrEqual(1 / 3);
    expect(answer.consistency.agreement).toBeLessThanOrEqual(1);
    expect(answer.consistency.diversity).toBeGreaterThanOrEqual(0);
    expect(answer.consistency.diversity).toBeLessThanOrEqual(1);
    expect(answer.consistency.totalCompletionTokens).toBeGreaterThanOrEqual(answer.usage.completionTokens);
    // One sample alone: no consistency block.
    const single = await ask({ prompt: 'Hi' });
    expect((single.body.data?.ask as { consistency?: unknown }).consistency).toBeUndefined();
  });

  it('refuses more than 8 samples as a bad request', async () => {
    const { body } = await ask({ prompt: 'Hi', samples: 9 });
    expect(body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
  });
});
