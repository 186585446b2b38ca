import { readFileSync } from 'node:fs';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { shutdownApp } from '../../src/app.factory.js';
import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

const chat = (server: TestApp, maxTokens: number, stream: boolean) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...bearer(KEYS.alice) },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'talk' }], max_tokens: maxTokens, stream }),
  });

describe('a default server', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('serves /healthz and /readyz without a key', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { accepting: true, llm: true } });
  });

  it('serves GraphiQL outside production', async () => {
    const page = await fetch(`${server.url}/graphiql`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await fetch(`${server.url}/nope`, { headers: bearer(KEYS.alice) });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('has a schema.gql that matches the code (run `npm run schema` after changing the API)', () => {
    const schema = printSchema(lexicographicSortSchema(server.app.get(GraphQLSchemaHost).schema)) + '\n';
    expect(readFileSync('schema.gql', 'utf8')).toBe(schema);
  });
});

describe('production mode', () => {
  it('turns GraphiQL off', async () => {
    const server = await startTestApp({ NODE_ENV: 'production' });
    try {
      expect((await fetch(`${server.url}/graphiql`)).status).toBe(404);
      expect((await postGraphql(server.url, { query: '{ me { tenant } }' })).body.data.me.tenant).toBe(
        'alice',
      );
    } finally {
      await server.close();
    }
  });
});

describe('with nothing configured', () => {
  it('serves the bundled test model to the single local tenant, and says the model is a test model', async () => {
    const server = await startTestApp({ MNEME_API_KEYS: '', MNEME_LLM_MODEL: '' });
    try {
      const { body } = await postGraphql(
        server.url,
        { query: '{ me { tenant } models { name testModel } }' },
        {},
      );
      expect(body.data).toEqual({
        me: { tenant: 'local' },
        models: [
          { name: 'mneme-test-model', testModel: true },
          { name: 'tiny-clip', testModel: true },
          { name: 'tiny-whisper', testModel: true },
          { name: 'tiny-clap', testModel: true },
          { name: 'tiny-bert', testModel: true },
        ],
      });
    } finally {
      await server.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes in-flight streams within the grace period and refuses new work meanwhile', async () => {
    const server = await startTestApp();
    const streaming = await chat(server, 60, true);
    const reader = streaming.body!.getReader();
    await reader.read();
    const stopping = shutdownApp(server.app, 20_000);

    const refused = await chat(server, 2, false);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'SHUTTING_DOWN' } });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);

    let body = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      body += new TextDecoder().decode(chunk.value);
    await stopping;
    expect(body).toMatch(/"finish_reason":"(length|stop)"/);
    expect(body).not.toContain('"error"');
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('cancels streams still running when the grace period ends', async () => {
    const server = await startTestApp();
    const streaming = await chat(server, 2000, true);
    const reader = streaming.body!.getReader();
    await reader.read();
    await shutdownApp(server.app, 100);
    let body = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      body += new TextDecoder().decode(chunk.value);
    expect(body).toContain('"code":"SHUTTING_DOWN"');
  });
});
