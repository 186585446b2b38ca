// Calls from the `mneme` commands to a running server's REST routes, and how their failures are reported.

export interface ServerTarget {
  url: string;
  /** The API key; MNEME_API_KEY when not given, none for a keyless local server. */
  key?: string;
}

/** The server's answer; a connection that fails says so and exits 1, as an HTTP failure does. */
export async function callServer(target: ServerTarget, route: string, init: RequestInit): Promise<Response> {
  const key = target.key ?? process.env.MNEME_API_KEY;
  const headers = {
    ...(init.headers as Record<string, string>),
    ...(key && { authorization: `Bearer ${key}` }),
  };
  try {
    return await fetch(new URL(route, target.url), { ...init, headers });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const body = JSON.stringify({ error: { message: `cannot reach ${target.url}${cause}` } });
    return new Response(body, { status: 599 });
  }
}

export async function reportFailure(what: string, response: Response): Promise<number> {
  const text = await response.text().catch(() => '');
  let message = text;
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
  } catch {
    // not JSON: the text as it came
  }
  console.error(`${what} failed: HTTP ${response.status} ${message}`);
  return response.status === 409 ? 3 : 1;
}
