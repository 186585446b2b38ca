import { KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

// The whole working → episodic path through the real server: asks append turns, the background worker (on a
// short interval) summarizes what overflowed the window, the summary shows in the session's episodes with its
// sources, and the next ask of the session puts it in the prompt.

const ASK = `mutation($input: AskInput!) {
  ask(input: $input) { sessionId memory { used { id tier } } context { role content } }
}`;
const EPISODES = `query($sessionId: String!) { episodes(sessionId: $sessionId, first: 100) { edges { node { id role text sources } } } }`;

interface Node {
  id: string;
  role: string;
  text: string;
  sources: string[];
}
interface Asked {
  sessionId: string;
  memory: { used: { id: string; tier: string }[] };
  context: { role: string; content: string }[];
}

let server: TestApp;
const gql = (query: string, variables: Record<string, unknown> = {}, key: string = KEYS.alice) =>
  postGraphql(server.url, { query, variables }, bearer(key));

beforeAll(async () => {
  server = await startTestApp({
    MNEME_PERCEPTION_PRELOAD: 'false',
    MNEME_CONSOLIDATION_INTERVAL_MS: '100',
    MNEME_WORKING_MEMORY_TOKENS: '120',
    MNEME_SUMMARY_MIN_TOKENS: '20',
    MNEME_SUMMARY_INPUT_TOKENS: '300',
  });
});
afterAll(() => server.close());

async function ask(prompt: string, sessionId: string) {
  const answer = await gql(ASK, { input: { prompt, sessionId, hint: 'FAST', maxTokens: 8, debug: true } });
  expect(answer.body.errors).toBeUndefined();
  return answer.body.data.ask as Asked;
}

async function summaries(sessionId: string, key: string = KEYS.alice) {
  const listed = await gql(EPISODES, { sessionId }, key);
  expect(listed.body.errors).toBeUndefined();
  const edges = listed.body.data.episodes.edges as { node: Node }[];
  const nodes = edges.map((e) => e.node);
  return { all: nodes, summaries: nodes.filter((n) => n.role === 'summary') };
}

/** Sessions waiting for a summary, plus one while a pass is running (it may be writing a newer summary). */
async function pendingSummaries(): Promise<number> {
  const status = await gql('{ consolidation { pendingSummaries running } }');
  const { pendingSummaries: pending, running } = status.body.data.consolidation;
  return (pending as number) + (running ? 1 : 0);
}

describe('session summaries over the API', () => {
  it('summarizes what overflowed the window in the background and prompts with it', async () => {
    const questions = [
      'My sister Clara lives in Turin.',
      'She works at the Egyptian Museum.',
      'We visit her in October by train.',
      'Marco is allergic to cats.',
    ];
    for (const q of questions) await ask(q, 'long-talk');
    // Overflow can happen between any two asks, so there may be a first summary and a rolling one that retells
    // it: wait until the worker has nothing left to summarize, then take the newest (no other summary retells it).
    let listed = await summaries('long-talk');
    for (let i = 0; i < 100 && (listed.summaries.length === 0 || (await pendingSummaries()) > 0); i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = await summaries('long-talk');
    }
    const retold = new Set(listed.summaries.flatMap((n) => n.sources));
    const newest = listed.summaries.filter((n) => !retold.has(n.id));
    expect(newest).toHaveLength(1);
    const summary = newest[0]!;
    const byId = new Map(listed.all.map((n) => [n.id, n]));
    const originals = (node: Node): string[] =>
      node.sources.flatMap((id) => (byId.get(id)?.role === 'summary' ? originals(byId.get(id)!) : [id]));
    const turns = new Map(listed.all.filter((n) => n.role !== 'summary').map((n) => [n.id, n.text]));
    expect(originals(summary).length).toBeGreaterThan(0);
    expect(originals(summary).every((id) => turns.has(id))).toBe(true); // the originals are still there
    expect(originals(summary).map((id) => turns.get(id))).toContain(questions[0]);

    const status = await gql('{ consolidation { summaries pendingSummaries failures } }');
    expect(status.body.data.consolidation.summaries).toBeGreaterThanOrEqual(1);

    const next = await ask('Where does Clara live?', 'long-talk');
    // The prompt carries that summary — or a newer rolling one retelling it, when the last asks' overflow was
    // queued after the wait above (the worker may run between the listing and this ask).
    const after = await summaries('long-talk');
    const nodes = new Map(after.all.map((n) => [n.id, n]));
    const retells = (node: Node | undefined, id: string): boolean =>
      node !== undefined && (node.id === id || node.sources.some((s) => retells(nodes.get(s), id)));
    const used = next.memory.used.filter((m) => nodes.get(m.id)?.role === 'summary');
    expect(used).toHaveLength(1);
    expect(used[0]!.tier).toBe('EPISODIC');
    const prompted = nodes.get(used[0]!.id)!;
    expect(retells(prompted, summary.id)).toBe(true);
    const system = next.context.find((m) => m.role === 'system');
    expect(system?.content).toContain(`Earlier in this conversation (summarized):\n${prompted.text}`);

    // Another tenant sees neither the summary nor the session.
    expect((await summaries('long-talk', KEYS.bob)).all).toEqual([]);
  });
});
