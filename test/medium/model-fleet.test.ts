import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { CallContext } from '../../src/common/call-context.js';
import { loadConfig } from '../../src/config/app-config.js';
import { ModelFleet } from '../../src/engines/llm/fleet/model-fleet.js';
import { LlamaCppEngine } from '../../src/engines/llm/llama-cpp.engine.js';
import { generateToEnd, type GenerateRequest, type ModelInfo } from '../../src/engines/llm/llm-engine.js';
import { servedModels } from '../../src/engines/llm/model-locator.js';
import { FIXTURE_LLM } from '../support/test-app.js';

// Two served models: the fixture GGUF under two names in a models dir. Its estimate is 2.2 MB (weights and one
// 512-token sequence); a budget of 3 MB holds one of them, not both.
const root = mkdtempSync(path.join(os.tmpdir(), 'mneme-fleet-'));
const modelsDir = path.join(root, 'models');
mkdirSync(modelsDir);
for (const name of ['alpha', 'beta']) copyFileSync(FIXTURE_LLM, path.join(modelsDir, `${name}.gguf`));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function fleetWith(env: Record<string, string> = {}): ModelFleet {
  const { llm } = loadConfig({
    MNEME_DATA_DIR: path.join(root, 'data'),
    MNEME_MODELS_DIR: modelsDir,
    MNEME_LLM_CONTEXT_SIZE: '512',
    MNEME_LLM_PARALLEL: '1',
    MNEME_LLM_THREADS: '2',
    MNEME_LLM_MEMORY_BUDGET_MB: '3',
    ...env,
  });
  return new ModelFleet(llm, servedModels(llm), (spec) => new LlamaCppEngine(llm, spec));
}

const ctx: CallContext = { tenant: 't1', signal: new AbortController().signal, trace: ROOT_CONTEXT };
const hello = (model?: string, maxTokens = 4): GenerateRequest => ({
  ...(model === undefined ? {} : { model }),
  messages: [{ role: 'user', content: 'Hello' }],
  maxTokens,
  temperature: 0,
});
const byName = (fleet: ModelFleet) =>
  Object.fromEntries(fleet.models().map((m) => [m.name, m])) as Record<string, ModelInfo>;
const states = (fleet: ModelFleet) => fleet.models().map((m) => `${m.name}:${m.state}`);

/** Code and message of a failed generation. */
async function refusal(fleet: ModelFleet, request: GenerateRequest) {
  const error = (await generateToEnd(fleet, request, ctx).catch((e: unknown) => e)) as {
    code?: string;
    message?: string;
  };
  return { code: error.code, message: error.message };
}

describe('a fleet of two models under a budget that holds one', () => {
  const fleet = fleetWith();
  beforeAll(() => fleet.load());
  afterAll(() => fleet.unload());

  it('loads the default at start and answers each request with the model it names', async () => {
    expect(states(fleet)).toEqual(['alpha:ready', 'beta:unloaded']);
    expect((await generateToEnd(fleet, hello(), ctx)).model).toBe('alpha');
    expect((await generateToEnd(fleet, hello('default'), ctx)).model).toBe('alpha');
    expect((await generateToEnd(fleet, hello('beta'), ctx)).model).toBe('beta');
  });

  it('says which models score their tokens, and no for a name it does not serve', () => {
    expect([
      fleet.scoresTokens(),
      fleet.scoresTokens('beta'),
      fleet.scoresTokens('mneme-perception'),
    ]).toEqual([true, true, false]);
  });

  it('unloaded the idle model to make room for the other, and switches back on demand', async () => {
    expect(states(fleet)).toEqual(['alpha:unloaded', 'beta:ready']);
    expect((await generateToEnd(fleet, hello('alpha'), ctx)).model).toBe('alpha');
    expect(states(fleet)).toEqual(['alpha:ready', 'beta:unloaded']);
  });

  it('keeps a model serving a request loaded: the other is refused with what to do, the request finishes', async () => {
    const stream = fleet.generate(hello('alpha', 8), ctx)[Symbol.asyncIterator]();
    expect((await stream.next()).value).toMatchObject({ type: 'token' }); // under way, its consumer reading
    const refused = await refusal(fleet, hello('beta'));
    expect(refused.code).toBe('MODEL_UNAVAILABLE');
    expect(refused.message).toMatch(
      /beta needs about 3 MB.*held by models serving requests \(alpha\).*Retry when/,
    );
    let last = await stream.next();
    while (!last.done && last.value.type === 'token') last = await stream.next();
    expect(last.value).toMatchObject({ type: 'done', result: { model: 'alpha' } });
    expect((await stream.next()).done).toBe(true); // the consumer has read to the end: the request is over
    expect(states(fleet)).toEqual(['alpha:ready', 'beta:unloaded']);
  });

  it('reports each model’s size, estimate, load time and use', () => {
    const { alpha, beta } = byName(fleet);
    expect(alpha).toMatchObject({
      isDefault: true,
      state: 'ready',
      contextSize: 512,
      parallel: 1,
      keepAliveSeconds: -1,
    });
    expect(alpha!.diskBytes).toBeGreaterThan(100_000);
    expect(alpha!.memoryEstimateBytes).toBeGreaterThan(alpha!.diskBytes!);
    expect(alpha!.memoryBytes).toBeGreaterThan(0);
    expect(alpha!.requests).toBe(4);
    expect(alpha!.loadMs).toBeGreaterThan(0);
    expect(alpha!.ttftP50Ms).toBeGreaterThan(0);
    expect(alpha!.decodeTokensPerSecondP50).toBeGreaterThan(0);
    expect(alpha!.lastUsedAt).toBeGreaterThan(alpha!.loadedAt!);
    expect(beta).toMatchObject({ isDefault: false, state: 'unloaded', requests: 1 });
    expect(beta!.memoryBytes).toBeUndefined();
  });

  it('refuses to unload a model serving a request, unloads it when idle, and names the models it serves', async () => {
    const stream = fleet.generate(hello('alpha', 8), ctx)[Symbol.asyncIterator]();
    await stream.next();
    await expect(fleet.unloadModel('alpha')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await stream.return?.(); // the consumer leaves: the request ends
    expect(await fleet.unloadModel('alpha')).toMatchObject({ name: 'alpha', state: 'unloaded' });
    expect(await refusal(fleet, hello('gamma'))).toEqual({
      code: 'MODEL_NOT_FOUND',
      message: 'Unknown model "gamma". Served models: alpha, beta, default.',
    });
    expect(await fleet.loadModel('beta', 0.2)).toMatchObject({ name: 'beta', state: 'ready' });
  });

  it('unloads a model once its keep-alive has passed without requests', async () => {
    expect(byName(fleet).beta).toMatchObject({ state: 'ready', keepAliveSeconds: 0.2 });
    await generateToEnd(fleet, hello('beta'), ctx); // restarts the countdown
    const deadline = Date.now() + 5000;
    while (byName(fleet).beta!.state === 'ready' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(states(fleet)).toEqual(['alpha:unloaded', 'beta:unloaded']);
  });
});

describe('a model larger than the whole budget', () => {
  it('is refused with MODEL_UNAVAILABLE before anything is loaded, naming the setting', async () => {
    const fleet = fleetWith({ MNEME_LLM_MEMORY_BUDGET_MB: '1' });
    await expect(fleet.load()).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringMatching(
        /alpha needs about 3 MB of RAM, more than the whole model budget of 1 MB\. Raise MNEME_LLM_MEMORY_BUDGET_MB/,
      ),
    });
    expect(states(fleet)).toEqual(['alpha:unloaded', 'beta:unloaded']);
  });
});
