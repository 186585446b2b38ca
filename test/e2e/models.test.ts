import { copyFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { FIXTURE_LLM, KEYS, bearer, postGraphql, startTestApp, type TestApp } from '../support/test-app.js';

// Two served models (the fixture GGUF under two names), the fast path on one and the deep path on the other.
const modelsDir = mkdtempSync(path.join(os.tmpdir(), 'mneme-models-e2e-'));
const small = path.join(modelsDir, 'small.gguf');
const big = path.join(modelsDir, 'big.gguf');
copyFileSync(FIXTURE_LLM, small);
copyFileSync(FIXTURE_LLM, big);

let server: TestApp;

beforeAll(async () => {
  server = await startTestApp({
    MNEME_LLM_MODEL: '',
    MNEME_MODELS_DIR: modelsDir,
    MNEME_LLM_MODELS: `small=${small},big=${big}`,
    MNEME_ROUTING_PATHS: JSON.stringify({
      fast: { model: 'small', escalate: false },
      deep: { model: 'big', samples: 1, ensemble: ['small', 'big', 'ghost'] },
    }),
    MNEME_ROUTING_FORCE_TENANTS: '*',
    MNEME_MODEL_ADMIN_TENANTS: 'alice',
    MNEME_PERCEPTION_PRELOAD: 'false',
  });
});
afterAll(() => server.close());

const ASK = 'mutation($i: AskInput!) { ask(input: $i) { model route { path reason } } }';
const MODELS = `{ models { name kind state isDefault diskBytes memoryEstimateBytes memoryBytes loadedAt lastUsedAt
  loadMs requests ttftP50Ms decodeTokensPerSecondP50 keepAliveSeconds contextSize parallel } }`;
const LOAD =
  'mutation($n: String!, $k: Int) { loadModel(name: $n, keepAliveSeconds: $k) { name state keepAliveSeconds } }';
const UNLOAD = 'mutation($n: String!) { unloadModel(name: $n) { name state memoryBytes } }';

const ask = (input: Record<string, unknown>, key: string = KEYS.alice) =>
  postGraphql(server.url, { query: ASK, variables: { i: { maxTokens: 3, ...input } } }, bearer(key));
const llms = async () => {
  const { body } = await postGraphql(server.url, { query: MODELS }, bearer(KEYS.alice));
  return (body.data.models as { kind: string; name: string }[]).filter((m) => m.kind === 'LLM');
};

describe('several LLMs, one per compute path', () => {
  it('answers each path with its own model, and `model` picks any served one', async () => {
    const fast = await ask({ prompt: 'hi', hint: 'FAST' });
    expect(fast.body.data.ask).toMatchObject({ model: 'small', route: { path: 'FAST' } });
    const deep = await ask({ prompt: 'Prove that there are infinitely many primes.', hint: 'DEEP' });
    expect(deep.body.data.ask).toMatchObject({ model: 'big', route: { path: 'DEEP' } });
    const picked = await ask({ prompt: 'hi', hint: 'FAST', model: 'big' });
    expect(picked.body.data.ask.model).toBe('big');
    const unknown = await ask({ prompt: 'hi', model: 'nope' });
    expect(unknown.body.errors[0].extensions.code).toBe('MODEL_NOT_FOUND');
    expect(unknown.body.errors[0].message).toMatch(/Served models: small, big, default/);
  });

  it('spreads a deep ask’s samples over the ensemble’s served models, and votes across them', async () => {
    const { body } = await postGraphql(
      server.url,
      {
        query: `mutation($i: AskInput!) { ask(input: $i) {
          model route { path reason } consistency { samples models agreement diversity totalCompletionTokens } } }`,
        variables: {
          i: {
            prompt: 'Prove that there are infinitely many primes.',
            hint: 'DEEP',
            samples: 3,
            maxTokens: 3,
          },
        },
      },
      bearer(KEYS.alice),
    );
    const answer = body.data.ask;
    expect(answer.route.reason).toMatch(/ensemble model\(s\) ghost not served, left out/);
    expect(answer.consistency).toMatchObject({ samples: 3, models: ['small', 'big', 'small'] });
    expect(['small', 'big']).toContain(answer.model);
    expect(answer.consistency.totalCompletionTokens).toBeGreaterThanOrEqual(3);
  });

  it('lists every model with its state, sizes and use', async () => {
    const [first, second] = await llms();
    expect(first).toMatchObject({
      name: 'small',
      state: 'READY',
      isDefault: true,
      contextSize: 512,
      keepAliveSeconds: -1,
    });
    expect(second).toMatchObject({ name: 'big', state: 'READY', isDefault: false });
    for (const model of [first, second] as Record<string, number | string>[]) {
      expect(model.diskBytes).toBeGreaterThan(100_000);
      expect(model.memoryEstimateBytes).toBeGreaterThan(model.diskBytes as number);
      expect(model.memoryBytes).toBeGreaterThan(0);
      expect(model.requests).toBeGreaterThanOrEqual(1);
      expect(model.ttftP50Ms).toBeGreaterThan(0);
      expect(model.loadMs).toBeGreaterThan(0);
      expect(Date.parse(model.lastUsedAt as string)).toBeGreaterThanOrEqual(
        Date.parse(model.loadedAt as string),
      );
    }
  });

  it('lets a model admin unload and load a model; other tenants are refused', async () => {
    const refused = await postGraphql(
      server.url,
      { query: UNLOAD, variables: { n: 'big' } },
      bearer(KEYS.bob),
    );
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(refused.body.errors[0].message).toMatch(/MNEME_MODEL_ADMIN_TENANTS/);
    const unloaded = await postGraphql(
      server.url,
      { query: UNLOAD, variables: { n: 'big' } },
      bearer(KEYS.alice),
    );
    expect(unloaded.body.data.unloadModel).toEqual({ name: 'big', state: 'UNLOADED', memoryBytes: null });
    const loaded = await postGraphql(
      server.url,
      { query: LOAD, variables: { n: 'big', k: 60 } },
      bearer(KEYS.alice),
    );
    expect(loaded.body.data.loadModel).toEqual({ name: 'big', state: 'READY', keepAliveSeconds: 60 });
    const bad = await postGraphql(
      server.url,
      { query: LOAD, variables: { n: 'big', k: -5 } },
      bearer(KEYS.alice),
    );
    expect(bad.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const missing = await postGraphql(server.url, { query: LOAD, variables: { n: '' } }, bearer(KEYS.alice));
    expect(missing.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    const unknown = await postGraphql(
      server.url,
      { query: LOAD, variables: { n: 'gpt-9' } },
      bearer(KEYS.alice),
    );
    expect(unknown.body.errors[0].extensions.code).toBe('MODEL_NOT_FOUND');
  });

  it('says which hardware tier it picked and the choices made from it', async () => {
    const { body } = await postGraphql(
      server.url,
      {
        query:
          '{ system { tier cores memoryBytes gpus threads parallel contextSize memoryBudgetBytes memoryBudgetUsedBytes } }',
      },
      bearer(KEYS.bob),
    );
    const { system } = body.data;
    expect(['low', 'mid', 'high']).toContain(system.tier);
    expect(system).toMatchObject({ threads: 2, contextSize: 512, gpus: [] });
    expect(system.cores).toBeGreaterThan(0);
    expect(system.memoryBudgetBytes).toBeGreaterThan(0);
    // Both models are loaded: the budget in use is their two estimates.
    const estimates = (await llms()).map(
      (m) => (m as unknown as { memoryEstimateBytes: number }).memoryEstimateBytes,
    );
    expect(system.memoryBudgetUsedBytes).toBe(estimates[0]! + estimates[1]!);
  });

  it('lists every served model on /v1/models for the official client', async () => {
    const openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: KEYS.bob, maxRetries: 0 });
    const ids = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(['small', 'big', 'default']);
  });
});
