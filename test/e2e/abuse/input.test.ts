import { GraphQLClient } from 'graphql-request';
import { rawRequest } from '../../support/probes.js';
import {
  KEYS,
  bearer,
  media,
  postGraphql,
  spans,
  startTestApp,
  uploadGraphql,
  type TestApp,
} from '../../support/test-app.js';

// The probes of a running server that sent careless or hostile input (issue #14): each is answered at once
// with a coded 4xx, nothing already remembered is lost, and the server keeps serving.

let server: TestApp;
let alice: GraphQLClient;

beforeAll(async () => {
  // Every path capped at 24 tokens, far below what the 512-token context would allow.
  const paths = Object.fromEntries(['fast', 'medium', 'deep'].map((p) => [p, { maxTokens: 24 }]));
  server = await startTestApp({ MNEME_LLM_CONTEXT_SIZE: '512', MNEME_ROUTING_PATHS: JSON.stringify(paths) });
  alice = new GraphQLClient(`${server.url}/graphql`, { headers: bearer(KEYS.alice) });
});
afterAll(() => server.close());

const gql = (query: string, variables?: Record<string, unknown>) =>
  postGraphql(server.url, { query, variables });
const codeOf = (body: any) => body.errors?.[0]?.extensions?.code as string | undefined;

async function rememberSomething(sessionId: string): Promise<number> {
  await alice.request('mutation($i: AskInput!) { ask(input: $i) { text } }', {
    i: { prompt: 'Remember that my cat is called Miso.', sessionId, maxTokens: 2 },
  });
  const { body } = await gql(`{ episodes(sessionId: "${sessionId}") { edges { node { id } } } }`);
  return body.data.episodes.edges.length;
}

describe('forget never widens an empty or malformed id into "everything" (finding 1)', () => {
  it.each([
    ['an empty episodeId', '{ episodeId: "" }', 'BAD_REQUEST'],
    ['a blank episodeId', '{ episodeId: "  " }', 'BAD_REQUEST'],
    ['a malformed episodeId', '{ episodeId: "x\' OR 1=1" }', 'BAD_REQUEST'],
    ['an empty sessionId', '{ sessionId: "" }', 'BAD_REQUEST'],
    ['no scope at all', '{}', 'BAD_REQUEST'],
    ['everything: false', '{ everything: false }', 'BAD_REQUEST'],
    ['an id and everything', '{ episodeId: "abc", everything: true }', 'BAD_REQUEST'],
    ['an unknown episodeId', '{ episodeId: "no-such-episode" }', 'NOT_FOUND'],
  ])('refuses %s with %s and keeps the memory', async (_name, input, code) => {
    const kept = await rememberSomething('forget-probe');
    expect(kept).toBeGreaterThan(0);
    const { body } = await gql(`mutation { forget(input: ${input}) { total } }`);
    expect(codeOf(body)).toBe(code);
    const { body: after } = await gql('{ episodes(sessionId: "forget-probe") { edges { node { id } } } }');
    expect(after.data.episodes.edges).toHaveLength(kept);
  });

  it('refuses an empty entityId in neighborhood as BAD_REQUEST', async () => {
    const { body } = await gql('{ neighborhood(entityId: "") { center { id } } }');
    expect(codeOf(body)).toBe('BAD_REQUEST');
  });

  it('still forgets everything when asked explicitly', async () => {
    await rememberSomething('forget-all');
    const { body } = await gql('mutation { forget(input: { everything: true }) { episodic } }');
    expect(body.data.forget.episodic).toBeGreaterThan(0);
  });
});

describe('authentication is by route, not by header (finding 4)', () => {
  const upgrade = { upgrade: 'websocket', connection: 'Upgrade' };

  it.each([
    ['GET', '/v1/models', undefined],
    ['POST', '/graphql', JSON.stringify({ query: '{ __schema { types { name } } }' })],
    ['POST', '/v1/chat/completions', JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] })],
  ])('answers %s %s with an Upgrade header and no key 401', async (method, path, body) => {
    const response = await rawRequest(
      server.url,
      { method, path, headers: { ...upgrade, 'content-type': 'application/json' }, body },
      5000,
    );
    expect(response).not.toBe('timeout');
    if (response === 'timeout') return;
    expect(response.status).toBe(401);
    expect(response.body).toContain('UNAUTHENTICATED');
  });

  it('authenticates GET /graphql that carries an Upgrade header but is no upgrade (no Connection: Upgrade)', async () => {
    const response = await rawRequest(
      server.url,
      { method: 'GET', path: '/graphql?query=%7BaudioFormats%7D', headers: { upgrade: 'websocket' } },
      5000,
    );
    expect(response).toMatchObject({ status: 401, body: expect.stringContaining('UNAUTHENTICATED') });
    const json = await rawRequest(
      server.url,
      { method: 'GET', path: '/graphql?query=123', headers: { upgrade: 'websocket', ...bearer(KEYS.alice) } },
      5000,
    );
    expect(json).toMatchObject({ status: 400, body: expect.stringContaining('GRAPHQL_PARSE_FAILED') });
  });

  it('gives no data to an Upgrade on the socket route that is not a WebSocket handshake', async () => {
    const response = await rawRequest(
      server.url,
      { method: 'GET', path: '/graphql?query=%7BaudioFormats%7D', headers: upgrade },
      5000,
    );
    expect(response).not.toBe('timeout');
    if (response === 'timeout') return;
    expect(response.status).toBe(400);
    expect(response.body).not.toContain('wav');
  });
});

describe('multipart bodies (findings 5, 10, 12, 15)', () => {
  const post = (path: string, contentType: string, body: string | Buffer) =>
    rawRequest(
      server.url,
      { method: 'POST', path, headers: { ...bearer(KEYS.alice), 'content-type': contentType }, body },
      5000,
    );

  it.each([
    ['/graphql', 400, 'BAD_REQUEST'],
    ['/v1/chat/completions', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ])('answers multipart/form-data without a boundary on %s at once, with %d', async (path, status, code) => {
    const response = await post(path, 'multipart/form-data', 'operations=x');
    expect(response).not.toBe('timeout');
    if (response === 'timeout') return;
    expect(response.status).toBe(status);
    expect(response.body).toContain(code);
  });

  it.each([
    [
      'a boundary that does not match the body',
      'multipart/form-data; boundary=abc',
      '--xyz\r\n\r\n--xyz--\r\n',
    ],
    ['an empty body', 'multipart/form-data; boundary=abc', ''],
    [
      'a part that never ends',
      'multipart/form-data; boundary=abc',
      '--abc\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{',
    ],
  ])('answers a malformed multipart request (%s) with 400 and no stack trace', async (_name, type, body) => {
    const response = await post('/graphql', type, body);
    expect(response).not.toBe('timeout');
    if (response === 'timeout') return;
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(response.body).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses one upload mapped to two places with BAD_REQUEST', async () => {
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query:
          'query($a: MediaInput!, $b: MediaInput!) { a: encodeImage(image: $a) { dims } b: encodeImage(image: $b) { dims } }',
        variables: { a: { upload: null }, b: { upload: null } },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.a.upload', 'variables.b.upload'] }));
    form.append('0', new Blob([media('photo-640x480.jpg')]), 'photo.jpg');
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: bearer(KEYS.alice),
      body: form,
    });
    const body: any = await response.json();
    expect(response.status).toBe(400);
    expect(codeOf(body)).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/mapped to several places/);
  });

  it('names the settings that bound the number of files', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [
        `variables.images.${i}.upload`,
        { name: `${i}.jpg`, data: media('photo-640x480.jpg') },
      ]),
    );
    const { status, body } = await uploadGraphql(
      server.url,
      'query($images: [MediaInput!]!) { encodeImages(images: $images) { dims } }',
      { images: Array.from({ length: 11 }, () => ({ upload: null })) },
      files,
    );
    expect(status).toBe(413);
    expect(codeOf(body)).toBe('PAYLOAD_TOO_LARGE');
    expect(body.errors[0].message).toContain('MNEME_IMAGES_PER_REQUEST');
    expect(body.errors[0].message).not.toContain('MNEME_BODY_LIMIT_BYTES');
  });
});

describe('media nested in an input is validated like media passed on its own', () => {
  it.each([
    [
      'an ask’s image',
      'mutation($m: MediaInput!) { ask(input: { prompt: "what is it?", images: [$m] }) { text } }',
    ],
    [
      'an ask’s audio',
      'mutation($m: MediaInput!) { ask(input: { prompt: "what is it?", audio: $m }) { text } }',
    ],
    ['a recall’s image', 'query($m: MediaInput!) { recall(query: "", image: $m) { id } }'],
  ])('refuses %s with a 300-character mimeType as BAD_REQUEST', async (_name, query) => {
    const m = { base64: media('image.gif').toString('base64'), mimeType: 'x'.repeat(300) };
    const { body } = await gql(query, { m });
    expect(body.errors[0]).toMatchObject({
      message: expect.stringContaining('mimeType must be shorter than or equal to 128 characters'),
      extensions: { code: 'BAD_REQUEST' },
    });
  });
});

describe('GraphQL-over-HTTP parameters (findings 11, 13)', () => {
  it.each([
    ['a number', { query: 123 }, 'BAD_REQUEST'],
    ['an object', { query: { kind: 'Document', definitions: [] } }, 'BAD_REQUEST'],
    ['a JSON string', { query: '{"kind":"Document","definitions":[]}' }, 'GRAPHQL_PARSE_FAILED'],
    ['a batch', [{ query: '{ me { tenant } }' }], 'BAD_REQUEST'],
    ['variables that are a list', { query: '{ me { tenant } }', variables: [1] }, 'BAD_REQUEST'],
  ])('answers a query that is %s with 400 %s', async (_name, body, code) => {
    const response = await postGraphql(server.url, body);
    expect(response.status).toBe(400);
    expect(codeOf(response.body)).toBe(code);
  });

  it.each(['123', '{}', 'null'])('answers GET /graphql?query=%s with 400', async (query) => {
    const response = await fetch(`${server.url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: bearer(KEYS.alice),
    });
    expect(response.status).toBe(400);
    expect(codeOf(await response.json())).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('takes an explicit null cursor as the first page, as Relay clients send it', async () => {
    await rememberSomething('relay');
    const { body } = await gql(
      '{ episodes(sessionId: "relay", first: 1, after: null) { edges { cursor } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(body.data.episodes.edges).toHaveLength(1);
  });
});

describe('REST has the limits GraphQL has (finding 9)', () => {
  const chat = (body: unknown) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...bearer(KEYS.alice), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('refuses 200,000 one-character messages at once, without validating each', async () => {
    const started = performance.now();
    const response = await chat({
      messages: Array.from({ length: 200_000 }, () => ({ role: 'user', content: 'x' })),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toMatch(/at most 2048/);
    expect(performance.now() - started).toBeLessThan(3000);
  });

  it('refuses a message too long for any context before tokenizing it', async () => {
    const response = await chat({ messages: [{ role: 'user', content: 'word '.repeat(400_000) }] });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as any;
    expect(error.code).toBe('CONTEXT_OVERFLOW');
    // Counted in characters: the tokenizer never saw the 2 MB (its own refusal counts tokens).
    expect(error.message).toMatch(/^The prompt is 2000000 characters; a 512-token context/);
  });

  it('counts images across messages against the per-request cap', async () => {
    const image = `data:image/jpeg;base64,${media('photo-640x480.jpg').toString('base64')}`;
    const message = {
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        ...Array.from({ length: 3 }, () => ({ type: 'image_url', image_url: { url: image } })),
      ],
    };
    const response = await chat({ messages: [message, message, message] });
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('caps max_tokens at the path’s maximum instead of holding a slot for 1e12 tokens', async () => {
    spans.reset();
    const response = await chat({ messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1e12 });
    expect(response.status).toBe(200);
    const body: any = await response.json();
    expect(body.usage.completion_tokens).toBeLessThanOrEqual(24);
    const generation = spans.getFinishedSpans().find((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(generation?.attributes['gen_ai.request.max_tokens']).toBe(24);
  });
});
