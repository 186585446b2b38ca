import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GraphQLClient, ClientError, gql } from 'graphql-request';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { CallContext } from '../../src/common/call-context.js';
import { loadConfig } from '../../src/config/app-config.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import type { GenerateRequest, GenerationEvent } from '../../src/engines/llm/llm-engine.js';
import {
  API_KEYS_ENV,
  FIXTURE_LLM,
  KEYS,
  bearer,
  postGraphql,
  spans,
  startTestApp,
  type TestApp,
} from '../support/test-app.js';

/** The real engine, watched: records which tenant each generation ran for. */
class TenantRecordingEngine extends LlamaCppEngine {
  readonly tenants: string[] = [];
  override generate(request: GenerateRequest, ctx: CallContext): AsyncIterable<GenerationEvent> {
    this.tenants.push(ctx.tenant);
    return super.generate(request, ctx);
  }
}

const ASK = gql`
  mutation Ask($input: AskInput!) {
    ask(input: $input) {
      text
      model
      finishReason
      sessionId
      traceId
      usage {
        promptTokens
        completionTokens
        totalTokens
      }
      timings {
        queueMs
        ttftMs
        totalMs
        tokensPerSecond
      }
    }
  }
`;

const ASK_STREAM = `subscription S($input: AskInput!) {
  askStream(input: $input) { kind index token answer { text usage { completionTokens } traceId finishReason } }
}`;

interface AskResult {
  ask: {
    text: string;
    model: string;
    finishReason: string;
    sessionId: string | null;
    traceId: string;
    usage: { promptTokens: number; completionTokens: number; totalTokens: number };
    timings: { queueMs: number; ttftMs: number; totalMs: number; tokensPerSecond: number };
  };
}

let server: TestApp;
let engine: TenantRecordingEngine;
const clients: Client[] = [];

function wsClient(key: string | undefined): Client {
  const client = createClient({
    url: server.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: key ? { authorization: `Bearer ${key}` } : {},
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  const env = {
    MNEME_API_KEYS: API_KEYS_ENV,
    MNEME_LLM_MODEL: FIXTURE_LLM,
    MNEME_LLM_CONTEXT_SIZE: '512',
    // The engine built here saves prompt states under its own config's data dir: a temporary one, shared.
    MNEME_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'mneme-graphql-ask-')),
    // The models list is checked as a start leaves it: perception models preloaded, as by default.
    MNEME_PERCEPTION_PRELOAD: 'true',
  };
  engine = new TenantRecordingEngine(loadConfig(env).llm);
  server = await startTestApp(env, { llmEngine: engine });
});

afterAll(async () => {
  for (const client of clients) await client.dispose();
  await server.close();
});

describe('ask over GraphQL (HTTP)', () => {
  it('answers with text, model, usage, timings and the trace id', async () => {
    const client = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
    const { ask } = await client.request<AskResult>(ASK, {
      input: { prompt: 'Hello there', maxTokens: 8, sessionId: 's-1' },
    });
    expect(ask.model).toBe('tiny-llama');
    expect(ask.sessionId).toBe('s-1');
    expect(ask.usage.promptTokens).toBeGreaterThan(5);
    expect(ask.usage.completionTokens).toBeGreaterThan(0);
    expect(ask.usage.completionTokens).toBeLessThanOrEqual(8);
    expect(ask.usage.totalTokens).toBe(ask.usage.promptTokens + ask.usage.completionTokens);
    expect(ask.timings.ttftMs).toBeGreaterThan(0);
    expect(ask.timings.totalMs).toBeGreaterThanOrEqual(ask.timings.ttftMs);
    expect(ask.traceId).toMatch(/^[0-9a-f]{32}$/);
    const generation = spans
      .getFinishedSpans()
      .find((s) => s.spanContext().traceId === ask.traceId && s.name.startsWith('chat '));
    expect(generation?.attributes['gen_ai.operation.name']).toBe('chat');
    expect(generation?.attributes['gen_ai.usage.output_tokens']).toBe(ask.usage.completionTokens);
    expect(generation?.attributes['gen_ai.usage.input_tokens']).toBe(ask.usage.promptTokens);
    await waitFor(() =>
      spans
        .getFinishedSpans()
        .some((s) => s.name === 'graphql mutation ask' && s.spanContext().traceId === ask.traceId),
    );
    const request = spans
      .getFinishedSpans()
      .find((s) => s.name === 'graphql mutation ask' && s.spanContext().traceId === ask.traceId);
    // request → ask (the per-path SLO span, with its path and time to first token) → generation
    const askSpan = spans
      .getFinishedSpans()
      .find((s) => s.name === 'ask' && s.spanContext().traceId === ask.traceId);
    expect(askSpan?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(askSpan?.attributes['mneme.route.path']).toEqual(expect.any(String));
    expect(askSpan?.attributes['mneme.llm.ttft_ms']).toBe(ask.timings.ttftMs);
    expect(generation?.parentSpanContext?.spanId).toBe(askSpan?.spanContext().spanId);
  });

  it('carries each caller’s tenant to the engine and reports it in `me`', async () => {
    engine.tenants.length = 0;
    for (const [tenant, key] of Object.entries(KEYS)) {
      const client = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(key) });
      const me = await client.request<{ me: { tenant: string } }>('{ me { tenant } }');
      expect(me.me.tenant).toBe(tenant);
      await client.request(ASK, { input: { prompt: `hi from ${tenant}`, maxTokens: 2 } });
    }
    // An unsure fast answer may be re-run on the medium path (escalation), so one ask can mean two
    // generations; what matters is that each ran for its own caller, in order.
    const runs = engine.tenants.filter((tenant, i) => tenant !== engine.tenants[i - 1]);
    expect(runs).toEqual(['alice', 'bob']);
  });

  it('lists the served model with its state', async () => {
    const { status, body } = await postGraphql(server.url, {
      query: '{ models { name kind state contextSize parallel testModel } }',
    });
    expect(status).toBe(200);
    expect(body.data.models).toEqual([
      { name: 'tiny-llama', kind: 'LLM', state: 'READY', contextSize: 512, parallel: 2, testModel: false },
      {
        name: 'tiny-clip',
        kind: 'VISION',
        state: 'READY',
        contextSize: null,
        parallel: null,
        testModel: true,
      },
      {
        name: 'tiny-whisper',
        kind: 'SPEECH_TO_TEXT',
        state: 'READY',
        contextSize: null,
        parallel: null,
        testModel: true,
      },
      {
        name: 'tiny-clap',
        kind: 'AUDIO_EMBEDDING',
        state: 'READY',
        contextSize: null,
        parallel: null,
        testModel: true,
      },
      {
        name: 'tiny-bert',
        kind: 'TEXT_EMBEDDING',
        state: 'READY',
        contextSize: null,
        parallel: null,
        testModel: true,
      },
    ]);
  });
});

describe('askStream over graphql-ws', () => {
  it('streams TOKEN events before the final ANSWER, which holds the whole text', async () => {
    const received: { kind: string; token: string | null; at: number; answer: any }[] = [];
    engine.tenants.length = 0;
    for await (const result of wsClient(KEYS.bob).iterate<{ askStream: any }>({
      query: ASK_STREAM,
      variables: { input: { prompt: 'Tell me a story', maxTokens: 16 } },
    })) {
      expect(result.errors).toBeUndefined();
      received.push({ ...result.data!.askStream, at: performance.now() });
    }
    const tokens = received.filter((e) => e.kind === 'TOKEN');
    const answers = received.filter((e) => e.kind === 'ANSWER');
    expect(tokens.length).toBeGreaterThan(0);
    expect(answers).toHaveLength(1);
    expect(received.at(-1)?.kind).toBe('ANSWER');
    expect(received.map((e: any) => e.index)).toEqual(received.map((_, i) => i));
    expect(tokens.map((t) => t.token).join('')).toBe(answers[0]!.answer.text);
    expect(answers[0]!.answer.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(engine.tenants).toEqual(['bob']);
  });

  it('closes a socket whose connection_init has no valid key (4403, the reason naming UNAUTHENTICATED)', async () => {
    engine.tenants.length = 0;
    for (const key of ['wrong-key-123456', undefined]) {
      const iterate = wsClient(key).iterate({ query: ASK_STREAM, variables: { input: { prompt: 'x' } } });
      const rejection = await iterate.next().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(rejection).toMatchObject({ code: 4403, reason: expect.stringContaining('UNAUTHENTICATED') });
    }
    expect(engine.tenants).toEqual([]);
  });

  it('reports bad input as a typed error on the subscription', async () => {
    const iterate = wsClient(KEYS.alice).iterate({
      query: ASK_STREAM,
      variables: { input: { prompt: '   ' } },
    });
    const rejection = await iterate.next().then(
      () => undefined,
      (errors: unknown) => errors,
    );
    expect(rejection).toEqual([
      expect.objectContaining({ message: 'prompt must not be empty', extensions: { code: 'BAD_REQUEST' } }),
    ]);
  });

  it('stops generating when the client unsubscribes mid-stream, and keeps serving', async () => {
    const iterate = wsClient(KEYS.alice).iterate<{ askStream: { kind: string } }>({
      query: ASK_STREAM,
      variables: { input: { prompt: 'A long story please', maxTokens: 400 } },
    });
    const first = await iterate.next();
    expect(first.value.data.askStream.kind).toBe('TOKEN');
    const before = engine.stats();
    await iterate.return?.();
    await waitFor(() => engine.stats().active === 0);
    // Cancelled, not run on to its 400 tokens.
    expect(engine.stats()).toMatchObject({
      failed: before.failed,
      cancelled: before.cancelled + 1,
      completed: before.completed,
    });
    const client = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
    const { ask } = await client.request<AskResult>(ASK, { input: { prompt: 'still there?', maxTokens: 2 } });
    expect(ask.usage.completionTokens).toBeGreaterThan(0);
  });
});

describe('bad GraphQL input gets a typed error and the server keeps serving', () => {
  const cases: [string, unknown, number, string][] = [
    [
      'malformed document',
      { query: 'mutation { ask(input: { prompt: "x" } { text } }' },
      400,
      'GRAPHQL_PARSE_FAILED',
    ],
    ['unknown field', { query: '{ nope }' }, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['missing prompt', { query: 'mutation { ask(input: {}) { text } }' }, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['empty prompt', { query: 'mutation { ask(input: { prompt: "  " }) { text } }' }, 200, 'BAD_REQUEST'],
    [
      'maxTokens 0',
      { query: 'mutation { ask(input: { prompt: "x", maxTokens: 0 }) { text } }' },
      200,
      'BAD_REQUEST',
    ],
    [
      'bad sessionId',
      { query: 'mutation { ask(input: { prompt: "x", sessionId: "a b" }) { text } }' },
      200,
      'BAD_REQUEST',
    ],
    [
      'unknown model',
      { query: 'mutation { ask(input: { prompt: "x", model: "gpt-9" }) { text } }' },
      200,
      'MODEL_NOT_FOUND',
    ],
    [
      'over-long prompt',
      {
        query: 'mutation($p: String!) { ask(input: { prompt: $p }) { text } }',
        variables: { p: 'word '.repeat(3000) },
      },
      200,
      'CONTEXT_OVERFLOW',
    ],
    [
      'variable of the wrong type',
      {
        query: 'mutation($n: Int) { ask(input: { prompt: "x", maxTokens: $n }) { text } }',
        variables: { n: 'abc' },
      },
      400,
      'GRAPHQL_VALIDATION_FAILED',
    ],
    ['not JSON', '{"query": ', 400, 'BAD_REQUEST'],
  ];

  it.each(cases)('%s', async (_name, body, status, code) => {
    const response = await postGraphql(server.url, body);
    expect(response.status).toBe(status);
    expect(response.body.errors[0].extensions.code).toBe(code);
    expect(response.body.errors[0].message.length).toBeGreaterThan(5);
    expect(response.body.errors[0].extensions.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('names the token counts on CONTEXT_OVERFLOW, through a real client', async () => {
    const client = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
    const error = await client
      .request(ASK, { input: { prompt: 'word '.repeat(3000) } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientError);
    const first = (error as ClientError).response.errors?.[0];
    expect(first?.extensions).toMatchObject({ code: 'CONTEXT_OVERFLOW', contextSize: 512 });
    expect(first?.message).toMatch(/Shorten the prompt or raise MNEME_LLM_CONTEXT_SIZE/);
  });

  it('answers 401 with UNAUTHENTICATED without a key or with a wrong one', async () => {
    for (const headers of [{}, bearer('not-a-real-key'), { authorization: 'Basic abc' }]) {
      const response = await postGraphql(server.url, { query: '{ me { tenant } }' }, headers);
      expect(response.status).toBe(401);
      expect(response.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
