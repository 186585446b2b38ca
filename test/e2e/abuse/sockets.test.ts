import { readdirSync } from 'node:fs';
import WebSocket from 'ws';
import { rawRequest } from '../../support/probes.js';
import { KEYS, media, startTestApp, type TestApp } from '../../support/test-app.js';

// WebSocket probes (issue #14, finding 6): sockets that never say who they are, or say it wrongly, are closed
// with graphql-ws codes; sockets are capped per key and in all; nothing is left holding a descriptor.

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({
    MNEME_WS_INIT_TIMEOUT_MS: '300',
    MNEME_WS_MAX_CONNECTIONS_PER_KEY: '3',
    MNEME_WS_MAX_CONNECTIONS: '12',
  });
});
afterAll(() => server.close());

interface Opened {
  ws: WebSocket;
  closed: Promise<{ code: number; reason: string }>;
  messages: any[];
}

function connect(): Promise<Opened> {
  const ws = new WebSocket(server.wsUrl, 'graphql-transport-ws');
  const messages: any[] = [];
  ws.on('message', (data: Buffer) => messages.push(JSON.parse(data.toString('utf8'))));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, closed, messages }));
    ws.once('error', reject);
  });
}

async function authenticated(key: string): Promise<Opened> {
  const socket = await connect();
  socket.ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } }));
  await until(() => socket.messages.some((m) => m.type === 'connection_ack') || socket.ws.readyState !== 1);
  return socket;
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const openDescriptors = () => readdirSync('/proc/self/fd').length;

/** The next message for operation `id`. */
async function reply(socket: Opened, id: string): Promise<any> {
  await until(() => socket.messages.some((m) => m.id === id));
  return socket.messages.find((m) => m.id === id);
}

describe('GraphQL WebSockets', () => {
  it('closes a socket that never sends connection_init with 4408', async () => {
    const { closed } = await connect();
    expect(await closed).toEqual({ code: 4408, reason: 'Connection initialisation timeout' });
  });

  it('closes a socket whose key is wrong or missing with 4403, the reason naming UNAUTHENTICATED', async () => {
    for (const payload of [{ authorization: 'Bearer wrong-key-123456' }, {}]) {
      const socket = await connect();
      socket.ws.send(JSON.stringify({ type: 'connection_init', payload }));
      const { code, reason } = await socket.closed;
      expect(code).toBe(4403);
      expect(reason).toMatch(/^UNAUTHENTICATED: /);
    }
  });

  it('closes a socket that sends something other than JSON with 4400', async () => {
    const socket = await connect();
    socket.ws.send('not json at all');
    expect((await socket.closed).code).toBe(4400);
  });

  it('caps sockets per key: the fourth of one key is closed with 1013, another key still connects', async () => {
    const held = [
      await authenticated(KEYS.alice),
      await authenticated(KEYS.alice),
      await authenticated(KEYS.alice),
    ];
    const fourth = await authenticated(KEYS.alice);
    const { code, reason } = await fourth.closed;
    expect(code).toBe(1013);
    expect(reason).toMatch(/OVERLOADED.*MNEME_WS_MAX_CONNECTIONS_PER_KEY/);
    const bob = await authenticated(KEYS.bob);
    expect(bob.messages.map((m) => m.type)).toContain('connection_ack');
    for (const socket of [...held, bob]) socket.ws.close();
    await Promise.all([...held, bob].map((s) => s.closed));
    // A closed socket gives its place back.
    const again = await authenticated(KEYS.alice);
    expect(again.messages.map((m) => m.type)).toContain('connection_ack');
    again.ws.close();
    await again.closed;
  });

  it('refuses the upgrade itself once the server holds its maximum of sockets, and recovers', async () => {
    const held = await Promise.all(Array.from({ length: 12 }, () => connect()));
    await expect(connect()).rejects.toThrow(/Unexpected server response: 429/);
    await Promise.all(held.map((s) => s.closed)); // the init timeout closes them all
    const after = await authenticated(KEYS.bob);
    expect(after.messages.map((m) => m.type)).toContain('connection_ack');
    after.ws.close();
    await after.closed;
  });

  it('leaves no descriptor behind after a flood of sockets that never authenticate', async () => {
    const before = openDescriptors();
    for (let round = 0; round < 10; round++) {
      const sockets = await Promise.all(Array.from({ length: 10 }, () => connect()));
      await Promise.all(sockets.map((s) => s.closed));
    }
    await until(() => openDescriptors() <= before + 2);
    expect(openDescriptors()).toBeLessThanOrEqual(before + 2);
  });

  it('leaves no descriptor behind after refused Upgrade requests on other routes', async () => {
    const before = openDescriptors();
    for (let i = 0; i < 100; i++) {
      const answer = await rawRequest(
        server.url,
        { method: 'GET', path: '/v1/models', headers: { upgrade: 'websocket', connection: 'Upgrade' } },
        2000,
      );
      expect(answer).toMatchObject({ status: 401 });
    }
    await until(() => openDescriptors() <= before + 2);
    expect(openDescriptors()).toBeLessThanOrEqual(before + 2);
  });
});

describe('subscriptions pass the checks queries pass', () => {
  const subscribe = (socket: Opened, id: string, payload: unknown) =>
    socket.ws.send(JSON.stringify({ id, type: 'subscribe', payload }));

  it('validates the document (Mercurius does not for subscriptions): two root fields are refused', async () => {
    const socket = await authenticated(KEYS.alice);
    subscribe(socket, '1', {
      query: 'subscription { a: askStream(input: { prompt: "hi" }) { kind } b: alerts { kind } }',
    });
    const answer = await reply(socket, '1');
    expect(answer.type).toBe('error');
    expect(answer.payload[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    socket.ws.close();
  });

  it('refuses an unknown field, naming it, instead of dropping it silently', async () => {
    const socket = await authenticated(KEYS.alice);
    subscribe(socket, '1', { query: 'subscription { alerts { kind nope } }' });
    const answer = await reply(socket, '1');
    expect(answer.type).toBe('error');
    expect(answer.payload[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.payload[0].message).toMatch(/"nope"/);
    socket.ws.close();
  });

  it('closes a socket that sends a document as a JSON object instead of text (4400)', async () => {
    const socket = await authenticated(KEYS.alice);
    subscribe(socket, '1', { query: { kind: 'Document', definitions: [] } });
    expect(await socket.closed).toEqual({
      code: 4400,
      reason: 'Invalid message: payload.query must be a string holding a GraphQL document',
    });
  });

  it('closes a socket that subscribes before it is acknowledged (4401)', async () => {
    const socket = await connect();
    subscribe(socket, '1', { query: 'subscription { alerts { kind } }' });
    expect((await socket.closed).code).toBe(4401);
  });

  it('counts the images in the operation’s variables against the per-request cap', async () => {
    const socket = await authenticated(KEYS.alice);
    const image = { base64: media('image.gif').toString('base64') };
    subscribe(socket, '1', {
      query: 'subscription($i: AskInput!) { askStream(input: $i) { kind } }',
      variables: { i: { prompt: 'what are these?', images: Array.from({ length: 9 }, () => image) } },
    });
    const refused = await reply(socket, '1');
    expect(refused.type).toBe('error');
    // The request-wide media count runs before the resolver (whose own list check would say BAD_REQUEST).
    expect(refused.payload[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    socket.ws.close();
  });
});
