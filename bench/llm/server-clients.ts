import type { Client } from 'graphql-ws';
import type { Sample } from './stats.js';

const ASK = `mutation($input: AskInput!) { ask(input: $input) {
  usage { completionTokens } timings { ttftMs totalMs tokensPerSecond } } }`;
const ASK_STREAM = `subscription($input: AskInput!) { askStream(input: $input) {
  kind answer { usage { completionTokens } } } }`;

interface AskPayload {
  data?: {
    ask: { usage: { completionTokens: number }; timings: { ttftMs: number; tokensPerSecond: number } };
  };
  errors?: unknown[];
}

interface StreamPayload {
  askStream: { kind: string; answer: { usage: { completionTokens: number } } | null };
}

/** One `ask` over HTTP: a single answer, so time to first token and decode rate are the server-measured ones. */
export async function sampleAsk(url: string, prompt: string, maxTokens: number): Promise<Sample> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: ASK, variables: { input: { prompt, maxTokens } } }),
  });
  const payload = (await response.json()) as AskPayload;
  if (!payload.data) throw new Error(`ask failed: ${JSON.stringify(payload.errors)}`);
  const { usage, timings } = payload.data.ask;
  return {
    ttftMs: timings.ttftMs,
    tokensPerSecond: timings.tokensPerSecond,
    completionTokens: usage.completionTokens,
  };
}

/** One `askStream` over graphql-ws, timed as the client sees it: first TOKEN event, then on to the ANSWER. */
export async function sampleAskStream(client: Client, prompt: string, maxTokens: number): Promise<Sample> {
  const start = performance.now();
  let first: number | undefined;
  let tokens = 0;
  let end = start;
  for await (const result of client.iterate<StreamPayload>({
    query: ASK_STREAM,
    variables: { input: { prompt, maxTokens } },
  })) {
    const event = result.data?.askStream;
    if (!event) throw new Error(`askStream failed: ${JSON.stringify(result.errors)}`);
    if (event.kind === 'TOKEN') first ??= performance.now();
    if (event.answer) {
      end = performance.now();
      tokens = event.answer.usage.completionTokens;
    }
  }
  const firstAt = first ?? end;
  return {
    ttftMs: firstAt - start,
    tokensPerSecond: ((tokens - 1) * 1000) / (end - firstAt),
    completionTokens: tokens,
  };
}
