import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
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

/** `ask` over HTTP: one answer, so time to first token and decode rate are the server-measured ones. */
export async function measureAsk(
  url: string,
  prompt: string,
  maxTokens: number,
  iterations: number,
): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let i = 0; i <= iterations; i++) {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ASK, variables: { input: { prompt, maxTokens, temperature: 0 } } }),
    });
    const payload = (await response.json()) as AskPayload;
    if (!payload.data) throw new Error(`ask failed: ${JSON.stringify(payload.errors)}`);
    const { usage, timings } = payload.data.ask;
    if (i > 0)
      samples.push({
        ttftMs: timings.ttftMs,
        tokensPerSecond: timings.tokensPerSecond,
        completionTokens: usage.completionTokens,
      });
  }
  return samples;
}

/** `askStream` over graphql-ws, timed as the client sees it: first TOKEN event, then tokens until ANSWER. */
export async function measureAskStream(
  wsUrl: string,
  prompt: string,
  maxTokens: number,
  iterations: number,
): Promise<Sample[]> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
  const samples: Sample[] = [];
  try {
    for (let i = 0; i <= iterations; i++) {
      const start = performance.now();
      let first: number | undefined;
      let tokens = 0;
      let end = start;
      for await (const result of client.iterate<{
        askStream: { kind: string; answer: { usage: { completionTokens: number } } | null };
      }>({
        query: ASK_STREAM,
        variables: { input: { prompt, maxTokens, temperature: 0 } },
      })) {
        const event = result.data?.askStream;
        if (!event) throw new Error(`askStream failed: ${JSON.stringify(result.errors)}`);
        if (event.kind === 'TOKEN') first ??= performance.now();
        if (event.answer) {
          end = performance.now();
          tokens = event.answer.usage.completionTokens;
        }
      }
      if (i > 0 && first !== undefined) {
        samples.push({
          ttftMs: first - start,
          tokensPerSecond: ((tokens - 1) * 1000) / (end - first),
          completionTokens: tokens,
        });
      }
    }
  } finally {
    await client.dispose();
  }
  return samples;
}
