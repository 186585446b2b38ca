// The one call an eval makes: `ask` through the public GraphQL API of a running server.

export interface EvalTarget {
  url: string;
  /** An API key (MNEME_API_KEY when not given); none for a keyless local server. */
  key?: string;
}

export interface AskOptions {
  path?: 'fast' | 'medium' | 'deep';
  samples?: number;
  maxTokens?: number;
}

export interface Asked {
  text: string;
  path: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

const ASK = `mutation Eval($input: AskInput!) {
  ask(input: $input) { text route { path } usage { promptTokens completionTokens } }
}`;

/** Asks one question in its own session; throws with the server's message when it answers with an error. */
export async function ask(
  target: EvalTarget,
  prompt: string,
  sessionId: string,
  options: AskOptions,
): Promise<Asked> {
  const key = target.key ?? process.env.MNEME_API_KEY;
  const input = {
    prompt,
    sessionId,
    ...(options.path && { hint: options.path.toUpperCase() }),
    ...(options.samples && { samples: options.samples }),
    ...(options.maxTokens && { maxTokens: options.maxTokens }),
  };
  const started = performance.now();
  const response = await fetch(new URL('/graphql', target.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key && { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ query: ASK, variables: { input } }),
  });
  const body = (await response.json()) as {
    data?: {
      ask: {
        text: string;
        route: { path: string };
        usage: { promptTokens: number; completionTokens: number };
      };
    };
    errors?: { message: string; extensions?: { code?: string } }[];
  };
  if (!body.data?.ask) {
    const error = body.errors?.[0];
    throw new Error(
      `${error?.extensions?.code ?? `HTTP ${response.status}`}: ${error?.message ?? 'no answer'}`,
    );
  }
  const { text, route, usage } = body.data.ask;
  return {
    text,
    path: route.path.toLowerCase(),
    promptTokens: usage.promptTokens,
    completionTokens: usage.completionTokens,
    latencyMs: performance.now() - started,
  };
}
