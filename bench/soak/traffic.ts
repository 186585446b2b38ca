import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { packageRoot } from '../../src/common/package-root.js';

/** How one request ended: answered, refused with a code, cancelled by the client on purpose, or failed. */
export type Outcome =
  | { kind: 'ok' }
  | { kind: 'refused'; code: string }
  | { kind: 'cancelled' }
  | { kind: 'failed'; why: string };

export interface Target {
  url: string;
  wsUrl: string;
  key: string;
}

const media = (name: string) => readFileSync(path.join(packageRoot(), 'test/fixtures/media', name));
const PHOTO = media('photo-640x480.jpg');
const SPEECH = media('speech-16k-pcm16.wav').toString('base64');
const ASK_STREAM = 'subscription($i: AskInput!) { askStream(input: $i) { kind token } }';

/** The mix of traffic, by weight: what people and careless clients send a memory server. */
export const ACTIONS: {
  name: string;
  weight: number;
  run: (t: Target, r: () => number) => Promise<Outcome>;
}[] = [
  {
    name: 'ask',
    weight: 20,
    run: (t, r) => graphql(t, 'mutation($i: AskInput!) { ask(input: $i) { text } }', { i: askInput(r) }),
  },
  {
    name: 'recall',
    weight: 15,
    run: (t) => graphql(t, '{ recall(query: "what did I say about cats?", first: 5) { id text } }'),
  },
  {
    name: 'episodes',
    weight: 5,
    run: (t, r) =>
      graphql(
        t,
        `{ episodes(sessionId: "soak-${Math.floor(r() * 5)}", first: 20, after: null) { edges { cursor } } }`,
      ),
  },
  { name: 'upload-image', weight: 10, run: (t) => uploadImage(t) },
  {
    name: 'transcribe',
    weight: 5,
    run: (t) =>
      graphql(t, 'query($a: MediaInput!) { transcribe(audio: $a) { text } }', { a: { base64: SPEECH } }),
  },
  { name: 'ask-stream', weight: 10, run: (t, r) => askStream(t, r, false) },
  { name: 'stream-then-leave', weight: 5, run: (t, r) => askStream(t, r, true) },
  { name: 'chat-then-disconnect', weight: 10, run: (t) => chatThenDisconnect(t) },
  { name: 'performance', weight: 5, run: (t) => graphql(t, '{ performance { stages { name p95 } } }') },
  { name: 'bad-input', weight: 15, run: (t, r) => badInput(t, r) },
];

/** A weighted random action, from `only` when given (to find what a resource's growth comes from). */
export function pick(random: () => number, only?: ReadonlySet<string>): (typeof ACTIONS)[number] {
  const actions = only ? ACTIONS.filter((a) => only.has(a.name)) : ACTIONS;
  const total = actions.reduce((n, a) => n + a.weight, 0);
  let roll = random() * total;
  for (const action of actions) if ((roll -= action.weight) < 0) return action;
  return actions[0]!;
}

function askInput(random: () => number) {
  return {
    prompt: 'Remember that my cat is called Miso.',
    sessionId: `soak-${Math.floor(random() * 5)}`,
    maxTokens: 4,
  };
}

async function graphql(t: Target, query: string, variables?: Record<string, unknown>): Promise<Outcome> {
  return classify(
    fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
      body: JSON.stringify({ query, variables }),
    }),
  );
}

/** Answered with data, or refused with a code a client can act on; anything else is a failure. */
async function classify(request: Promise<Response>): Promise<Outcome> {
  let response: Response;
  let body: { data?: unknown; errors?: { extensions?: { code?: string } }[]; error?: { code?: string } };
  try {
    response = await request;
    body = (await response.json()) as typeof body;
  } catch (error) {
    return { kind: 'failed', why: `transport: ${(error as Error).message}` };
  }
  const code = body.errors?.[0]?.extensions?.code ?? body.error?.code;
  if (code === 'INTERNAL') return { kind: 'failed', why: `INTERNAL (${response.status})` };
  if (code) return { kind: 'refused', code };
  if (response.ok && body.data) return { kind: 'ok' };
  return { kind: 'failed', why: `HTTP ${response.status} without a code` };
}

function uploadImage(t: Target): Promise<Outcome> {
  const form = new FormData();
  form.append(
    'operations',
    JSON.stringify({
      query: 'query($i: MediaInput!) { encodeImage(image: $i) { dims } }',
      variables: { i: { upload: null } },
    }),
  );
  form.append('map', JSON.stringify({ 0: ['variables.i.upload'] }));
  form.append('0', new Blob([PHOTO]), 'photo.jpg');
  return classify(
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${t.key}` }, body: form }),
  );
}

async function askStream(t: Target, random: () => number, leave: boolean): Promise<Outcome> {
  const client = createClient({
    url: t.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${t.key}` },
    retryAttempts: 0,
    lazy: true,
  });
  try {
    const events = client.iterate({
      query: ASK_STREAM,
      variables: { i: { ...askInput(random), maxTokens: leave ? 64 : 4 } },
    });
    for await (const event of events) {
      if (event.errors?.length) {
        const code = (event.errors[0] as { extensions?: { code?: string } }).extensions?.code;
        return code && code !== 'INTERNAL'
          ? { kind: 'refused', code }
          : { kind: 'failed', why: `subscription: ${code}` };
      }
      if (leave) return { kind: 'cancelled' }; // leaving after the first event
    }
    return { kind: 'ok' };
  } catch (error) {
    const code = codeOfRejection(error);
    return code ? { kind: 'refused', code } : { kind: 'failed', why: `subscription: ${String(error)}` };
  } finally {
    await client.dispose();
  }
}

function codeOfRejection(error: unknown): string | undefined {
  if (Array.isArray(error)) return (error[0] as { extensions?: { code?: string } }).extensions?.code;
  const close = error as { code?: number; reason?: string };
  return typeof close.code === 'number' && close.code !== 1006 ? close.reason?.split(':')[0] : undefined;
}

async function chatThenDisconnect(t: Target): Promise<Outcome> {
  const controller = new AbortController();
  try {
    const response = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'Tell me a long story.' }],
        max_tokens: 64,
        stream: true,
      }),
      signal: controller.signal,
    });
    if (!response.ok) return classify(Promise.resolve(response));
    await response.body!.getReader().read();
    controller.abort();
    return { kind: 'cancelled' };
  } catch (error) {
    return controller.signal.aborted
      ? { kind: 'cancelled' }
      : { kind: 'failed', why: `chat: ${(error as Error).message}` };
  }
}

/** Careless or hostile input: each must be refused with its code, never answered with INTERNAL or nothing. */
async function badInput(t: Target, random: () => number): Promise<Outcome> {
  const auth = { authorization: `Bearer ${t.key}` };
  const json = { ...auth, 'content-type': 'application/json' };
  const cases = [
    () => fetch(`${t.url}/graphql`, { method: 'POST', headers: json, body: '{"query":123}' }),
    () =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ query: 'mutation { forget(input: { episodeId: "" }) { total } }' }),
      }),
    () =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'multipart/form-data; boundary=x' },
        body: '--y--',
      }),
    () =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          query: `{ ${Array.from({ length: 20 }, (_, i) => `r${i}: recall(query: "x") { id }`).join(' ')} }`,
        }),
      }),
    () =>
      fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ messages: [], max_tokens: 1e12 }),
      }),
    () =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ me { tenant } }"}',
      }),
  ];
  const outcome = await classify(cases[Math.floor(random() * cases.length)]!());
  return outcome.kind === 'ok' ? { kind: 'failed', why: 'bad input was accepted' } : outcome;
}
