// One conversation turn as the bench records it, and the GraphQL `ask` that produces one from Mneme.

export interface TurnSample {
  /** 0-based session (cast) index. */
  session: number;
  /** 1-based turn number. */
  turn: number;
  promptTokens: number;
  /** Of the prompt tokens, those not evaluated for this turn (reused or restored). */
  cachedTokens: number;
  /** Request start to first token; includes queueMs. */
  ttftMs: number;
  /** Waiting for a free sequence (0 for the anchor). */
  queueMs: number;
  tokensPerSecond: number;
  completionTokens: number;
}

// Greedy and forced onto the fast path (the server sets MNEME_ROUTING_FORCE_TENANTS), so every ask does the same
// kind of work whichever way the router would lean.
const ASK = `mutation($input: AskInput!) { ask(input: $input) {
  usage { promptTokens completionTokens cachedPromptTokens }
  timings { queueMs ttftMs tokensPerSecond } } }`;

interface AskPayload {
  data?: {
    ask: {
      usage: { promptTokens: number; completionTokens: number; cachedPromptTokens: number };
      timings: { queueMs: number; ttftMs: number; tokensPerSecond: number };
    };
  };
  errors?: unknown[];
}

export interface AskTurn {
  url: string;
  apiKey: string;
  sessionId: string;
  prompt: string;
  maxTokens: number;
}

/** One `ask` over HTTP in a session; the timings are the server's own (request start to first token). */
export async function askTurn(ask: AskTurn, session: number, turn: number): Promise<TurnSample> {
  const response = await fetch(`${ask.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ask.apiKey}` },
    body: JSON.stringify({
      query: ASK,
      variables: {
        input: {
          prompt: ask.prompt,
          sessionId: ask.sessionId,
          maxTokens: ask.maxTokens,
          temperature: 0,
          hint: 'FAST',
        },
      },
    }),
  });
  const payload = (await response.json()) as AskPayload;
  if (!payload.data) throw new Error(`ask failed: ${JSON.stringify(payload.errors)}`);
  const { usage, timings } = payload.data.ask;
  return {
    session,
    turn,
    promptTokens: usage.promptTokens,
    cachedTokens: usage.cachedPromptTokens,
    ttftMs: timings.ttftMs,
    queueMs: timings.queueMs,
    tokensPerSecond: timings.tokensPerSecond,
    completionTokens: usage.completionTokens,
  };
}
