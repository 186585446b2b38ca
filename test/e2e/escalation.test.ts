import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

const ASK = `mutation($input: AskInput!) {
  ask(input: $input) { text memory { warnings } route { path reason escalated steppedDown } }
}`;
const ASK_STREAM = `subscription($input: AskInput!) {
  askStream(input: $input) { kind index token answer { text route { path escalated } } }
}`;

interface Route {
  path: string;
  reason: string;
  escalated: boolean;
}

describe('escalation of unsure fast answers', () => {
  let server: TestApp;
  beforeAll(async () => {
    // A fast path whose token limit always cuts the fixture model off: every fast answer looks unsure.
    server = await startTestApp({
      MNEME_PERCEPTION_PRELOAD: 'false',
      MNEME_ROUTING_PATHS: JSON.stringify({
        fast: { maxTokens: 3 },
        medium: { maxTokens: 6, concurrency: 1 },
      }),
    });
  });
  afterAll(async () => {
    await server.close();
  });

  const ask = async (input: Record<string, unknown>) => {
    const { body } = await postGraphql(server.url, {
      query: ASK,
      variables: { input: { temperature: 0, ...input } },
    });
    return (body as { data: { ask: { text: string; memory: { warnings: string[] }; route: Route } } }).data
      .ask;
  };

  it('re-runs a fast answer cut off by the path’s own limit on the medium path, and says so', async () => {
    const answer = await ask({ prompt: 'Hi' });
    expect(answer.route).toMatchObject({ path: 'MEDIUM', escalated: true });
    expect(answer.route.reason).toMatch(
      /escalated from fast: (empty answer, )?cut off at the path’s token limit/,
    );
  });

  it('does not escalate when the caller set the token limit itself', async () => {
    const answer = await ask({ prompt: 'Hi', maxTokens: 3 });
    expect(answer.route).toMatchObject({ path: 'FAST', escalated: false });
  });

  it('streams RESTART between the superseded fast tokens and the escalated answer', async () => {
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: bearer(KEYS.alice),
      retryAttempts: 0,
    });
    const events: {
      kind: string;
      token: string | null;
      answer: { text: string; route: { escalated: boolean } } | null;
    }[] = [];
    try {
      for await (const result of client.iterate<{ askStream: (typeof events)[number] }>({
        query: ASK_STREAM,
        // Greedy, as in the tests above: sampled, the fixture can end within the fast limit and not escalate.
        variables: { input: { prompt: 'Hi', temperature: 0 } },
      })) {
        events.push(result.data!.askStream);
      }
    } finally {
      await client.dispose();
    }
    const kinds = events.map((e) => e.kind);
    const restart = kinds.indexOf('RESTART');
    // Whatever the fast path streamed came first (its few noise tokens may decode to no text at all).
    expect(restart).toBeGreaterThanOrEqual(0);
    expect(kinds.slice(0, restart).every((k) => k === 'TOKEN')).toBe(true);
    expect(events[restart]!.token).toContain('escalated from fast');
    expect(kinds.at(-1)).toBe('ANSWER');
    const after = events
      .slice(restart + 1, -1)
      .map((e) => e.token)
      .join('');
    expect(after).toBe(events.at(-1)!.answer!.text); // the answer is the escalated text, not the fast one
    expect(events.at(-1)!.answer!.route.escalated).toBe(true);
  });
  // Medium busy → the fast answer kept with a note: decided deterministically in ask-pipeline.spec.ts (a
  // scripted engine and gate); here the outcome would depend on timing.
});

describe('escalation on token entropy', () => {
  let server: TestApp;
  beforeAll(async () => {
    // A fast path with room to finish, escalating above a mean entropy the random-weight fixture always exceeds.
    server = await startTestApp({
      MNEME_ROUTING_PATHS: JSON.stringify({ fast: { maxTokens: 48, escalateEntropy: 0.5, temperature: 0 } }),
    });
  });
  afterAll(() => server.close());

  it('re-runs an uncertain fast answer on medium, naming its entropy, and scores the answer when asked', async () => {
    const { body } = await postGraphql(server.url, {
      query: `mutation($input: AskInput!) {
        ask(input: $input) {
          text meanEntropy route { path reason escalated }
          tokens { token logprob bytes top { token logprob } }
        }
      }`,
      variables: { input: { prompt: 'Hello', temperature: 0, logprobs: 1 } },
    });
    const answer = (
      body as {
        data: {
          ask: {
            text: string;
            meanEntropy: number;
            route: Route;
            tokens: { token: string; logprob: number; top: { token: string; logprob: number }[] }[];
          };
        };
      }
    ).data.ask;
    expect(answer.route).toMatchObject({ path: 'MEDIUM', escalated: true });
    expect(answer.route.reason).toMatch(/uncertain \(mean token entropy \d+\.\d\d nats > 0\.5\)/);
    expect(answer.meanEntropy).toBeGreaterThan(0.5);
    expect(answer.tokens.length).toBeGreaterThan(0);
    expect(answer.tokens.every((t) => t.logprob <= 0 && t.top.length === 1)).toBe(true);
    expect(answer.tokens.every((t) => t.top[0]!.token === t.token)).toBe(true);
  });

  it('gives tokens only to asks that set logprobs, and refuses more than 20 alternatives', async () => {
    const plain = await postGraphql(server.url, {
      query: 'mutation($input: AskInput!) { ask(input: $input) { tokens { token } } }',
      variables: { input: { prompt: 'Hello' } },
    });
    expect((plain.body as { data: { ask: { tokens: unknown } } }).data.ask.tokens).toBeNull();
    const tooMany = await postGraphql(server.url, {
      query: 'mutation($input: AskInput!) { ask(input: $input) { text } }',
      variables: { input: { prompt: 'Hello', logprobs: 21 } },
    });
    const errors = (tooMany.body as { errors: { extensions: { code: string } }[] }).errors;
    expect(errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });
});
