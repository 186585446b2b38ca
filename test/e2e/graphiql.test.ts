import vm from 'node:vm';
import * as graphql from 'graphql';
import { KEYS, bearer, startTestApp, type TestApp } from '../support/test-app.js';

type Fetcher = (params: { query: string; operationName?: string }) => Promise<graphql.ExecutionResult>;

// What a browser with the network off would need: the page and everything it loads come from this server.
// (Mercurius's own page had no URL in its HTML; its main.js fetched React and GraphiQL from unpkg.)
const CDN = /\b(unpkg\.com|esm\.sh|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|cdn\.skypack\.dev)\b/;

/** Every `src` and `href` in a page, resolved against the page's own URL as a browser would. */
function references(html: string, base: string): URL[] {
  return [...html.matchAll(/\b(?:src|href)\s*=\s*["']([^"']+)["']/g)].map((m) => new URL(m[1]!, base));
}

describe('GraphiQL', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('is a page that references nothing outside the server', async () => {
    // No key sent: startTestApp configures keys, so a route that needed one would answer 401.
    const response = await fetch(`${server.url}/graphiql`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    const refs = references(html, `${server.url}/graphiql`);
    expect(refs.length).toBeGreaterThanOrEqual(5); // a stylesheet, React, ReactDOM, GraphiQL and the start script
    for (const ref of refs) expect(ref.origin).toBe(server.url);
  });

  it('serves every script and stylesheet it references, none of which loads from a CDN', async () => {
    const html = await (await fetch(`${server.url}/graphiql`)).text();
    const scripts = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
    const styles = [...html.matchAll(/<link\b[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThanOrEqual(4);
    expect(styles.length).toBeGreaterThanOrEqual(1);
    const assets = [
      ...scripts.map((ref) => ({ ref, type: /^text\/javascript/ })),
      ...styles.map((ref) => ({ ref, type: /^text\/css/ })),
    ];
    for (const { ref, type } of assets) {
      const response = await fetch(new URL(ref, `${server.url}/graphiql`));
      expect({ ref, status: response.status }).toEqual({ ref, status: 200 });
      expect(response.headers.get('content-type')).toMatch(type);
      const body = await response.text();
      expect(body.length).toBeGreaterThan(0);
      expect(body).not.toMatch(CDN);
    }
  });

  it('points GraphiQL at this server and loads the schema with its standard query', async () => {
    // The page's own script, run against stand-ins for React and GraphiQL (no browser here) and the real server.
    const html = await (await fetch(`${server.url}/graphiql`)).text();
    const src = [...html.matchAll(/<script\b[^>]*\bsrc="([^"]+start\.js)"/g)].map((m) => m[1]!);
    expect(src).toHaveLength(1);
    const script = await (await fetch(new URL(src[0]!, `${server.url}/graphiql`))).text();
    expect(script).not.toMatch(/https?:\/\//);

    const urls: Record<string, string>[] = [];
    let fetcher: Fetcher | undefined;
    const GraphiQL = Object.assign(() => null, {
      GraphQL: graphql,
      createFetcher: (options: Record<string, string>): Fetcher => {
        urls.push(options);
        return async (params) => {
          const response = await fetch(options.url!, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...bearer(KEYS.alice) },
            body: JSON.stringify(params),
          });
          return (await response.json()) as graphql.ExecutionResult;
        };
      },
    });
    vm.runInNewContext(script, {
      URL,
      window: { location: new URL(`${server.url}/graphiql`) },
      document: { getElementById: () => ({}) },
      React: { createElement: (_component: unknown, props: unknown) => props },
      ReactDOM: {
        createRoot: () => ({ render: (props: { fetcher: Fetcher }) => (fetcher = props.fetcher) }),
      },
      GraphiQL,
    });
    expect(urls).toEqual([{ url: `${server.url}/graphql`, subscriptionUrl: server.wsUrl }]);

    // What GraphiQL asks first: nine ofType levels deep, past the default depth limit of 12, which exempts it.
    const query = graphql.getIntrospectionQuery();
    const result = await fetcher!({ query, operationName: 'IntrospectionQuery' });
    expect(result.errors).toBeUndefined();
    const schema = graphql.buildClientSchema(result.data as unknown as graphql.IntrospectionQuery);
    expect(schema.getMutationType()?.getFields()).toHaveProperty('ask');
  });
});

describe('the depth limit beside the schema query', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  const post = async (query: string) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(KEYS.alice) },
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: (await response.json()) as graphql.ExecutionResult };
  };
  const ofTypes = (levels: number) => 'ofType { '.repeat(levels) + 'name' + ' }'.repeat(levels);

  it('still refuses a deep query outside __schema, saying the limit and what to change', async () => {
    // __type is not exempt. Every field is a level, the leaf too: 3 down to `type`, nine ofType, `name`: 13.
    const deep = await post(`{ __type(name: "Query") { fields { type { ${ofTypes(9)} } } } }`);
    expect(deep.status).toBe(400);
    expect(deep.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(deep.body.errors?.[0]?.message).toMatch(
      /depth limit of 12 exceeded, found 13.*MNEME_GRAPHQL_MAX_DEPTH/,
    );

    const fits = await post(`{ __type(name: "Query") { fields { type { ${ofTypes(8)} } } } }`);
    expect(fits.status).toBe(200);
    expect(fits.body.errors).toBeUndefined();
  });
});

describe('GraphiQL turned off', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ MNEME_GRAPHIQL: 'false' });
  });
  afterAll(() => server.close());

  it('serves neither the page nor its files', async () => {
    expect((await fetch(`${server.url}/graphiql`)).status).toBe(404);
    expect((await fetch(`${server.url}/graphiql/start.js`)).status).toBe(404);
  });
});
