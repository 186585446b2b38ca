import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LlmConfig } from '../../config/app-config.js';
import {
  BUNDLED_TEST_MODEL,
  modelFile,
  nameOf,
  servedModels,
  type ModelPuller,
  type ModelSpec,
} from './model-locator.js';

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mneme-locator-'));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function config(overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    hardware: { cores: 2, memoryBytes: 2 ** 34, freeMemoryBytes: 2 ** 33, tier: 'mid' },
    model: undefined,
    modelName: undefined,
    models: [],
    modelsDir: path.join(tmp, 'models'),
    threads: 1,
    contextSize: 4096,
    parallel: 1,
    queueLimit: 0,
    maxTokens: 16,
    systemPrompt: '',
    promptCache: { enabled: true, dir: path.join(tmp, 'prompt-cache'), diskBytes: 0 },
    remote: undefined,
    memoryBudgetBytes: 2 ** 30,
    keepAliveMs: -1,
    adminTenants: ['*'],
    hub: { endpoint: 'https://huggingface.co', token: undefined },
    ...overrides,
  };
}

const unusedPuller: ModelPuller = () => Promise.reject(new Error('the puller must not be called'));
const REMOTE = { url: 'http://gpu-box:8080/v1', apiKey: undefined, model: undefined, vision: false };

function touch(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'GGUF');
  return file;
}

const local = (name: string, source: string): ModelSpec => ({
  name,
  source,
  engine: 'llama.cpp',
  testModel: false,
});

describe('servedModels', () => {
  it('serves a configured path under its basename, or MNEME_LLM_MODEL_NAME', () => {
    const file = touch(path.join(tmp, 'elsewhere', 'Qwen2.5-1.5B.Q4.GGUF'));
    expect(servedModels(config({ model: file }))).toEqual({
      specs: [local('Qwen2.5-1.5B.Q4', file)],
      defaultName: 'Qwen2.5-1.5B.Q4',
    });
    expect(servedModels(config({ model: file, modelName: 'my-model' })).specs[0]!.name).toBe('my-model');
  });

  it('serves every .gguf of the models dir by file name, the first in sorted order as the default', () => {
    const dir = path.join(tmp, 'models');
    touch(path.join(dir, 'b.gguf'));
    touch(path.join(dir, 'a.gguf'));
    touch(path.join(dir, '0-readme.txt'));
    expect(servedModels(config())).toEqual({
      specs: [local('a', path.join(dir, 'a.gguf')), local('b', path.join(dir, 'b.gguf'))],
      defaultName: 'a',
    });
  });

  it('puts MNEME_LLM_MODEL first, then the named list (a remote among them) and the models dir, each file once', () => {
    const dir = path.join(tmp, 'models');
    const small = touch(path.join(dir, 'qwen-0.5b.gguf'));
    touch(path.join(dir, 'qwen-7b.gguf'));
    const served = servedModels(
      config({
        model: small,
        models: [
          { name: 'deep', source: path.join(dir, 'qwen-7b.gguf') },
          { name: 'big', source: 'remote' },
          { name: 'pulled', source: 'hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M' },
        ],
        remote: { ...REMOTE, model: 'llama-70b' },
      }),
    );
    expect(served.defaultName).toBe('qwen-0.5b');
    expect(served.specs).toEqual([
      local('qwen-0.5b', small),
      local('deep', path.join(dir, 'qwen-7b.gguf')),
      { name: 'big', source: REMOTE.url, engine: 'remote', testModel: false },
      local('pulled', 'hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M'),
    ]);
  });

  it('makes a remote no entry names the default, known by what it lists when no model is configured', () => {
    const file = touch(path.join(tmp, 'local.gguf'));
    const served = servedModels(config({ remote: REMOTE, model: file }));
    expect(served.specs).toEqual([
      { name: 'remote', source: REMOTE.url, engine: 'remote', testModel: false, listedName: true },
      local('local', file),
    ]);
    expect(served.defaultName).toBe('remote');
  });

  it.each([
    ['empty', true],
    ['missing', false],
  ])('falls back to the bundled test model when the models dir is %s', (_label, create) => {
    if (create) mkdirSync(path.join(tmp, 'models'));
    const [spec] = servedModels(config()).specs;
    expect(spec).toMatchObject({ name: 'mneme-test-model', testModel: true, engine: 'llama.cpp' });
    expect(spec!.source.endsWith(BUNDLED_TEST_MODEL)).toBe(true);
    expect(path.isAbsolute(spec!.source)).toBe(true);
  });
});

describe('nameOf', () => {
  it.each([
    ['hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M', 'Qwen2.5-1.5B-Instruct-Q4_K_M'],
    ['hf:org/model-GGUF', 'model'],
    ['https://example.org/files/tiny.Q8_0.gguf?download=true', 'tiny.Q8_0'],
    ['/models/a.b.gguf', 'a.b'],
  ])('names %s %s', (source, name) => {
    expect(nameOf(source)).toBe(name);
  });
});

describe('modelFile', () => {
  it('fails with the path when the model file does not exist or is a directory', async () => {
    const missing = path.join(tmp, 'missing.gguf');
    await expect(modelFile(local('m', missing), tmp, unusedPuller)).rejects.toThrow(missing);
    await expect(modelFile(local('m', tmp), tmp, unusedPuller)).rejects.toThrow('not a file');
  });

  it('pulls an hf: URI into the models dir', async () => {
    const calls: [string, string][] = [];
    const pull: ModelPuller = (uri, directory) => {
      calls.push([uri, directory]);
      return Promise.resolve(path.join(directory, 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf'));
    };
    const uri = 'hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M';
    const file = await modelFile(local('q', uri), path.join(tmp, 'models'), pull);
    expect(calls).toEqual([[uri, path.join(tmp, 'models')]]);
    expect(file).toBe(path.join(tmp, 'models', 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf'));
  });

  it('explains how to work offline when pulling fails', async () => {
    const offline = new Error('getaddrinfo ENOTFOUND huggingface.co');
    const pull: ModelPuller = () => Promise.reject(offline);
    const uri = 'hf:org/repo:Q4_K_M';
    const error: unknown = await modelFile(local('r', uri), tmp, pull).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(uri);
    expect(message).toContain('ENOTFOUND');
    expect(message).toContain('put it into the models dir');
    expect((error as Error).cause).toBe(offline);
  });
});
