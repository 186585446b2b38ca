import OpenAI from 'openai';
import { LlmEngine } from '../../src/engines/llm/llm-engine.js';
import { KEYS, bearer, startTestApp, type TestApp } from '../support/test-app.js';

let server: TestApp;
let openai: OpenAI;

beforeAll(async () => {
  server = await startTestApp({ MNEME_BODY_LIMIT_BYTES: String(64 * 1024) });
  openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEYS.alice, maxRetries: 0 });
});

afterAll(() => server.close());

describe('OpenAI-compatible REST with the official client', () => {
  it('lists the configured model and "default"', async () => {
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(['tiny-llama', 'default']);
  });

  it('answers a non-streaming chat completion with usage', async () => {
    const completion = await openai.chat.completions.create({
      model: 'default',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      max_tokens: 6,
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('tiny-llama');
    expect(completion.choices[0]?.message.role).toBe('assistant');
    expect(typeof completion.choices[0]?.message.content).toBe('string');
    expect(['stop', 'length']).toContain(completion.choices[0]?.finish_reason);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage?.completion_tokens).toBeLessThanOrEqual(6);
    expect(completion.usage?.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
  });

  it('reuses the evaluated conversation when a client resends it with one more turn, with no session id', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You plan trips. Be brief.' },
      { role: 'user', content: 'I want to visit Turin in May with my brother.' },
    ];
    const first = await openai.chat.completions.create({ model: 'default', messages, max_tokens: 6 });
    // A first request reuses at most the chat template's opening and the words its system prompt shares with
    // the server's (every sequence starts with the server's system prompt evaluated).
    const publicPart = first.usage!.prompt_tokens_details!.cached_tokens!;
    expect(publicPart).toBeLessThan(first.usage!.prompt_tokens / 3);
    messages.push(
      { role: 'assistant', content: first.choices[0]!.message.content ?? '' },
      { role: 'user', content: 'What should we see first?' },
    );
    const second = await openai.chat.completions.create({ model: 'default', messages, max_tokens: 6 });
    // Every token of the first request's prompt was evaluated then and is not evaluated again.
    expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeGreaterThanOrEqual(
      first.usage!.prompt_tokens,
    );
    expect(second.usage?.prompt_tokens_details?.cached_tokens).toBeLessThan(second.usage!.prompt_tokens);
    // Another tenant sending the same conversation reuses none of Alice's tokens: no more than a first request.
    const bob = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEYS.bob, maxRetries: 0 });
    const stranger = await bob.chat.completions.create({ model: 'default', messages, max_tokens: 6 });
    expect(stranger.usage?.prompt_tokens_details?.cached_tokens).toBe(publicPart);
  });

  it('streams deltas, a finish reason and usage over SSE', async () => {
    const stream = await openai.chat.completions.create({
      model: 'tiny-llama',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Count to five' }] }],
      max_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        contentChunks++;
        text += choice.delta.content;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(contentChunks).toBeGreaterThan(0);
    expect(text.length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(finish);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('returns logprobs with top alternatives, the same in one piece and streamed', async () => {
    const request = {
      model: 'default',
      messages: [{ role: 'user' as const, content: 'Name three colours' }],
      max_tokens: 12,
      temperature: 0,
      logprobs: true,
      top_logprobs: 2,
    };
    const completion = await openai.chat.completions.create(request);
    const choice = completion.choices[0]!;
    const content = choice.logprobs!.content!;
    const sampled = completion.usage!.completion_tokens;
    // An end token is sampled and counted but is not part of the answer.
    expect(content).toHaveLength(choice.finish_reason === 'length' ? sampled : sampled - 1);
    for (const token of content) {
      expect(token.logprob).toBeLessThanOrEqual(0);
      expect(token.top_logprobs.map((t) => t.token)[0]).toBe(token.token); // greedy: the likeliest
      expect(token.top_logprobs).toHaveLength(2);
      expect(token.top_logprobs[1]!.logprob).toBeLessThanOrEqual(token.top_logprobs[0]!.logprob);
    }
    const streamed: OpenAI.ChatCompletionTokenLogprob[] = [];
    for await (const chunk of await openai.chat.completions.create({ ...request, stream: true })) {
      streamed.push(...(chunk.choices[0]?.logprobs?.content ?? []));
    }
    expect(streamed.map((t) => t.token)).toEqual(content.map((t) => t.token));
    expect(streamed.map((t) => t.logprob)).toEqual(content.map((t) => t.logprob));
    // Without logprobs, none; top_logprobs alone is refused as OpenAI does.
    const plain = await openai.chat.completions.create({
      ...request,
      logprobs: false,
      top_logprobs: undefined,
    });
    expect(plain.choices[0]!.logprobs).toBeNull();
    expect(plain.choices[0]!.message.content).toBe(choice.message.content);
    const refused = await openai.chat.completions
      .create({ ...request, logprobs: undefined })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({
      status: 400,
      message: expect.stringMatching(/top_logprobs needs logprobs/),
    });
  });

  it('gives typed errors: unknown model 404, over-long prompt 400, wrong key 401', async () => {
    const unknown = await openai.chat.completions
      .create({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.APIError>).code).toBe('MODEL_NOT_FOUND');

    const overflow = await openai.chat.completions
      .create({ model: 'default', messages: [{ role: 'user', content: 'word '.repeat(3000) }] })
      .catch((e: unknown) => e);
    expect(overflow).toBeInstanceOf(OpenAI.BadRequestError);
    expect((overflow as InstanceType<typeof OpenAI.APIError>).code).toBe('CONTEXT_OVERFLOW');

    const stranger = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'nobody-key-000', maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });
});

describe('REST bad input', () => {
  const post = (body: string, headers: Record<string, string> = bearer(KEYS.alice)) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });

  it.each([
    ['no messages', 400, 'BAD_REQUEST', JSON.stringify({ model: 'default', messages: [] })],
    [
      'empty user message',
      400,
      'BAD_REQUEST',
      JSON.stringify({ messages: [{ role: 'user', content: ' ' }] }),
    ],
    [
      'image part',
      400,
      'BAD_REQUEST',
      JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'image_url' }] }] }),
    ],
    ['n=2', 400, 'BAD_REQUEST', JSON.stringify({ n: 2, messages: [{ role: 'user', content: 'x' }] })],
    ['malformed JSON', 400, 'BAD_REQUEST', '{"messages": ['],
    [
      'oversized body',
      413,
      'PAYLOAD_TOO_LARGE',
      JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(100_000) }] }),
    ],
  ])('%s → %i %s', async (_name, status, code, body) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { code: string; message: string; traceId: string } };
    expect(json.error.code).toBe(code);
    expect(json.error.message.length).toBeGreaterThan(5);
    expect(json.error.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('answers 401 in OpenAI’s error shape without a key', async () => {
    const response = await post(JSON.stringify({ messages: [{ role: 'user', content: 'x' }] }), {});
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: { code: 'UNAUTHENTICATED', type: 'authentication_error' },
    });
  });

  it('cancels generation when the client drops an SSE stream, and keeps serving', async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.alice) },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'go on' }], max_tokens: 400, stream: true }),
      signal: controller.signal,
    });
    const engine = server.app.get(LlmEngine);
    const before = engine.stats();
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const until = Date.now() + 10_000;
    while (engine.stats().active > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    // The generation ended cancelled (neither failed nor completed): it did not run on to its 400 tokens.
    expect(engine.stats()).toMatchObject({
      active: 0,
      failed: before.failed,
      cancelled: before.cancelled + 1,
      completed: before.completed,
    });
    const after = await openai.chat.completions.create({
      model: 'default',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 2,
    });
    expect(after.usage?.completion_tokens).toBeGreaterThan(0);
  });
});
