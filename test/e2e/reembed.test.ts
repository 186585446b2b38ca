import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { buildForChildren } from '../support/build-for-children.js';
import { freePort } from '../support/free-port.js';
import { closeStacks, ctxOf, memoryStack, tempDir } from '../support/memory-stack.js';
import { otherEmbedder } from '../support/other-embedders.js';
import { API_KEYS_ENV, FIXTURE_LLM, KEYS, bearer, postGraphql } from '../support/test-app.js';

// A server whose text-embedding model changed under a memory that holds episodes: it serves (full-text recall,
// marked degraded), says so on /readyz and in its log, and `mneme reembed` moves memory into the new space —
// surviving a kill -9 of the server in the middle, as a user's real processes would.

const EPISODES = 60;
let built: string;
let dataDir: string;

beforeAll(async () => {
  built = buildForChildren();
  dataDir = tempDir('reembed-e2e');
  // Written with the bundled model, as a first install would.
  const seed = await memoryStack({ only: 'episodic', dataDir }).open();
  const texts = Array.from({ length: EPISODES }, (_, i) => `note ${i}: the gazelle ran ${i} metres`);
  await seed.episodic.remember(
    texts.map((text) => ({ sessionId: 'garden', role: 'user', text })),
    ctxOf('alice'),
  );
  await seed.episodic.remember([{ sessionId: 'b', role: 'user', text: 'bob keeps a gazelle' }], ctxOf('bob'));
  await closeStacks();
}, 120_000);

interface Server {
  child: ChildProcess;
  url: string;
  log: () => string;
}

async function startServer(): Promise<Server> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    MNEME_PORT: String(port),
    MNEME_HOST: '127.0.0.1',
    MNEME_DATA_DIR: dataDir,
    MNEME_MODELS_DIR: tempDir('reembed-models'),
    MNEME_API_KEYS: API_KEYS_ENV,
    MNEME_MODEL_ADMIN_TENANTS: 'alice',
    MNEME_TEXT_EMBEDDING_MODEL: otherEmbedder('wider'),
    MNEME_REEMBED_BATCH: '2',
    MNEME_LLM_MODEL: FIXTURE_LLM,
    MNEME_LLM_CONTEXT_SIZE: '512',
    MNEME_PERCEPTION_PRELOAD: 'false',
    MNEME_CONSOLIDATION_INTERVAL_MS: '0',
    MNEME_LOG_LEVEL: 'warn',
  };
  delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the server
  const child = spawn(process.execPath, [path.join(built, 'main.js')], { env });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  for (const until = Date.now() + 60_000; ;) {
    const status = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { child, url, log: () => output };
    if (Date.now() > until || child.exitCode !== null) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const stop = (server: Server, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    const { exitCode, signalCode } = server.child;
    if (exitCode !== null || signalCode !== null) return resolve();
    server.child.once('exit', () => resolve());
    server.child.kill(signal);
  });

const progress = async (url: string, key: string = KEYS.alice) => {
  const response = await fetch(`${url}/v1/memory/reembed`, { headers: bearer(key) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

function runCli(url: string): { child: ChildProcess; done: Promise<{ code: number | null; out: string }> } {
  const child = spawn(process.execPath, [path.join(built, 'cli', 'mneme.js'), 'reembed', '--url', url], {
    env: { ...process.env, MNEME_API_KEY: KEYS.alice, NODE_OPTIONS: '' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<{ code: number | null; out: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, out })),
  );
  return { child, done };
}

const RECALL = '{ recall(query: "gazelle", first: 5) { text degraded } }';
const recalled = async (url: string) =>
  (await postGraphql(url, { query: RECALL })).body.data.recall as { text: string; degraded: boolean }[];

describe('a text-embedding model change on a running server', () => {
  it('serves degraded, and mneme reembed finishes the move even across a kill -9', async () => {
    const first = await startServer();
    try {
      expect(first.log()).toMatch(/61 of 61 episodes .* until you run `mneme reembed`/);
      const ready = (await (await fetch(`${first.url}/readyz`)).json()) as { memory: Record<string, string> };
      expect(ready.memory).toMatchObject({
        episodic: 'reembedding',
        action: expect.stringMatching(/mneme reembed/),
      });

      const during = await recalled(first.url);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((m) => m.degraded)).toBe(true);
      expect(during.some((m) => m.text.includes('bob'))).toBe(false);

      // Bob is not a model admin; exporting vectors that are half re-embedded is refused.
      expect((await progress(first.url, KEYS.bob)).body.error).toMatchObject({ code: 'FORBIDDEN' });
      const exported = await fetch(`${first.url}/v1/memory/export?vectors=true`, {
        headers: bearer(KEYS.alice),
      });
      expect(exported.status).toBe(409);

      const cli = runCli(first.url);
      for (const until = Date.now() + 30_000; ;) {
        const { body } = await progress(first.url);
        if (body.remaining < body.total) break;
        if (Date.now() > until) throw new Error(`no progress: ${JSON.stringify(body)}\n${first.log()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
      await stop(first, 'SIGKILL');
      const cut = await cli.done;
      expect(cut.code).toBe(1);
      expect(cut.out).toMatch(/cannot reach/);
    } finally {
      await stop(first, 'SIGKILL');
    }

    const second = await startServer();
    try {
      const resumed = (await progress(second.url)).body;
      expect(resumed).toMatchObject({ state: 'reembedding', job: 'idle', total: EPISODES + 1 });
      expect(resumed.remaining).toBeGreaterThan(0);
      expect(resumed.remaining).toBeLessThan(EPISODES + 1); // what was committed before the kill stayed done

      const { code, out } = await runCli(second.url).done;
      expect(out).toMatch(/Re-embedded \d+ episodes .* recall by meaning covers all of it again/);
      expect(code).toBe(0);
      const ready = (await (await fetch(`${second.url}/readyz`)).json()) as {
        memory: Record<string, string>;
      };
      expect(ready.memory).toEqual({ episodic: 'current' });
      const after = await recalled(second.url);
      expect(after).toHaveLength(5);
      expect(after.every((m) => !m.degraded)).toBe(true);
      expect((await progress(second.url)).body).toMatchObject({ state: 'current', remaining: 0, dims: 48 });
    } finally {
      await stop(second, 'SIGTERM');
    }
  }, 180_000);
});
