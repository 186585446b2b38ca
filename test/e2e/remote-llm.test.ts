import { createServer } from 'node:net';
import {
  FIXTURE_LLM,
  KEYS,
  media,
  postGraphql,
  spans,
  startTestApp,
  uploadGraphql,
  type TestApp,
} from '../support/test-app.js';

// The remote backend is real: another Mneme on the fixture GGUF, reached over its OpenAI-compatible REST face.

const ASK = `mutation($input: AskInput!) {
  ask(input: $input) {
    text model traceId finishReason
    usage { promptTokens completionTokens }
    timings { ttftMs totalMs }
    perception { imageAnswering visualAnswer { answer } images { labels { label } } }
  }
}`;
const MODELS = '{ models { name kind state error } }';

let backend: TestApp;
let front: TestApp;

beforeAll(async () => {
  backend = await startTestApp({ MNEME_LLM_CONTEXT_SIZE: '4096', MNEME_PERCEPTION_PRELOAD: 'false' });
  front = await startTestApp({
    // The remote is the default; a GGUF of its own is served beside it as `local`.
    MNEME_LLM_MODEL: '',
    MNEME_LLM_MODELS: `local=${FIXTURE_LLM}`,
    MNEME_LLM_REMOTE_URL: `${backend.url}/v1`,
    MNEME_LLM_REMOTE_API_KEY: KEYS.bob,
    MNEME_LLM_REMOTE_VISION: 'true',
    MNEME_LLM_CONTEXT_SIZE: '2048',
    MNEME_PERCEPTION_PRELOAD: 'false',
    // One remote call per ask: no escalation re-run of an unsure fast answer.
    MNEME_ROUTING_PATHS: '{"fast":{"escalate":false}}',
  });
});

afterAll(async () => {
  await front.close();
  await backend.close();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface ModelRow {
  name: string;
  kind: string;
  state: string;
  error: string | null;
}
const llmRows = (body: { data: { models: ModelRow[] } }) => body.data.models.filter((m) => m.kind === 'LLM');

const inTrace = (traceId: string, name: string) =>
  spans.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId && s.name === name);

describe('an OpenAI-compatible remote LLM backend', () => {
  it('generates on the remote, with its model name, usage and timings, and lists it with its state', async () => {
    const { body } = await postGraphql(front.url, {
      query: ASK,
      variables: { input: { prompt: 'Hello there', maxTokens: 6, temperature: 0 } },
    });
    expect(body.errors).toBeUndefined();
    const { ask } = body.data;
    expect(ask.model).toBe('tiny-llama');
    expect(ask.usage.promptTokens).toBeGreaterThan(5);
    expect(ask.usage.completionTokens).toBeGreaterThan(0);
    expect(ask.usage.completionTokens).toBeLessThanOrEqual(6);
    expect(ask.timings.totalMs).toBeGreaterThanOrEqual(ask.timings.ttftMs);
    const models = await postGraphql(front.url, { query: MODELS });
    expect(llmRows(models.body)).toEqual([
      { name: 'tiny-llama', kind: 'LLM', state: 'READY', error: null },
      { name: 'local', kind: 'LLM', state: 'UNLOADED', error: null },
    ]);
  });

  it('serves an in-process model beside the remote: `model` picks it, and nothing goes to the remote', async () => {
    const { body } = await postGraphql(front.url, {
      query: ASK,
      variables: { input: { prompt: 'Hello there', maxTokens: 3, model: 'local' } },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data.ask.model).toBe('local');
    expect(inTrace(body.data.ask.traceId, 'POST /v1/chat/completions')).toHaveLength(0);
    expect(inTrace(body.data.ask.traceId, 'chat local')).toEqual([
      expect.objectContaining({
        attributes: expect.objectContaining({ 'gen_ai.provider.name': 'llama.cpp' }),
      }),
    ]);
  });

  it('continues the caller’s trace inside the remote', async () => {
    const { body } = await postGraphql(front.url, {
      query: ASK,
      variables: { input: { prompt: 'Trace me', maxTokens: 2 } },
    });
    const traceId: string = body.data.ask.traceId;
    const remoteRequest = inTrace(traceId, 'POST /v1/chat/completions');
    expect(remoteRequest).toHaveLength(1);
    const frontGeneration = inTrace(traceId, 'chat tiny-llama').find(
      (s) => s.attributes['gen_ai.provider.name'] === 'openai-compatible',
    );
    expect(remoteRequest[0]!.parentSpanContext?.spanId).toBe(frontGeneration!.spanContext().spanId);
  });

  it('sends the ask’s images to a vision-capable remote instead of scoring answers, and says so', async () => {
    const { body } = await uploadGraphql(
      front.url,
      ASK,
      { input: { prompt: 'How many dogs are in the picture?', maxTokens: 2, images: [{ upload: null }] } },
      { 'variables.input.images.0.upload': { name: 'photo.jpg', data: media('photo-640x480.jpg') } },
    );
    expect(body.errors).toBeUndefined();
    const { ask } = body.data;
    expect(ask.perception.imageAnswering).toBe('VISION_LLM');
    expect(ask.perception.visualAnswer).toBeNull();
    expect(ask.perception.images[0].labels).toHaveLength(3);
    // The image reached the remote: it (a text-only Mneme) perceived it itself, inside the same trace.
    const remoteRequest = inTrace(ask.traceId, 'POST /v1/chat/completions')[0]!;
    const encodes = inTrace(ask.traceId, 'encode.image');
    expect(encodes).toHaveLength(2);
    expect(encodes.some((s) => s.parentSpanContext?.spanId === remoteRequest.spanContext().spanId)).toBe(
      true,
    );
  });

  it('answers MODEL_UNAVAILABLE while the remote is unreachable, keeps serving, and reports why', async () => {
    const orphan = await startTestApp({
      MNEME_LLM_REMOTE_URL: `http://127.0.0.1:${await closedPort()}/v1`,
      MNEME_LLM_REMOTE_MODEL: 'some-model',
      MNEME_PERCEPTION_PRELOAD: 'false',
    });
    try {
      const { body } = await postGraphql(orphan.url, {
        query: ASK,
        variables: { input: { prompt: 'Anyone there?', maxTokens: 2 } },
      });
      expect(body.errors[0].extensions.code).toBe('MODEL_UNAVAILABLE');
      expect(body.errors[0].message).toMatch(
        /remote LLM at http:\/\/127\.0\.0\.1:\d+\/v1 is unreachable \(ECONNREFUSED\)/,
      );
      const models = await postGraphql(orphan.url, { query: MODELS });
      const [llm] = llmRows(models.body);
      expect(llm).toMatchObject({ name: 'some-model', state: 'FAILED' });
      expect(llm!.error).toMatch(/unreachable/);
      expect((await fetch(`${orphan.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${orphan.url}/healthz`)).status).toBe(200);
    } finally {
      await orphan.close();
    }
  });
});

describe('the OpenAI REST face with image parts', () => {
  const chat = (content: unknown) =>
    fetch(`${backend.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.alice}` },
      body: JSON.stringify({ messages: [{ role: 'user', content }], max_tokens: 2 }),
    });

  it('perceives inline images for a text-only model', async () => {
    const url = `data:image/jpeg;base64,${media('photo-640x480.jpg').toString('base64')}`;
    const response = await chat([
      { type: 'text', text: 'What is this?' },
      { type: 'image_url', image_url: { url } },
    ]);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(typeof body.choices[0]!.message.content).toBe('string');
  });

  it('refuses image URLs (no server-side fetches) and bad images, saying why', async () => {
    const remote = await chat([{ type: 'image_url', image_url: { url: 'http://169.254.169.254/latest' } }]);
    expect(remote.status).toBe(400);
    expect(((await remote.json()) as { error: { message: string } }).error.message).toContain('data: URL');
    const broken = `data:image/jpeg;base64,${media('truncated.jpg').toString('base64')}`;
    const bad = await chat([
      { type: 'text', text: 'And this?' },
      { type: 'image_url', image_url: { url: broken } },
    ]);
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('BAD_IMAGE');
  });
});
