import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LlmConfig } from '../../config/app-config.js';
import { BUNDLED_TEST_MODEL, locateModel, type ModelPuller } from './model-locator.js';

let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'mneme-locator-'));
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function config(overrides: Partial<LlmConfig> = {}): LlmConfig {
  return {
    model: undefined,
    modelName: undefined,
    modelsDir: path.join(tmp, 'models'),
    threads: 1,
    contextSize: 4096,
    parallel: 1,
    queueLimit: 0,
    maxTokens: 16,
    systemPrompt: '',
    promptCache: { enabled: true, dir: path.join(tmp, 'prompt-cache'), diskBytes: 0 },
    remote: undefined,
    ...overrides,
  };
}

const unusedPuller: ModelPuller = () => Promise.reject(new Error('the puller must not be called'));

function touch(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, 'GGUF');
  return file;
}

describe('locateModel', () => {
  it('fails with the path when the configured model does not exist', async () => {
    const missing = path.join(tmp, 'missing.gguf');
    await expect(locateModel(config({ model: missing }), unusedPuller)).rejects.toThrow(missing);
  });

  it('fails when the configured model is a directory', async () => {
    await expect(locateModel(config({ model: tmp }), unusedPuller)).rejects.toThrow('not a file');
  });

  it('uses a configured path, named after its basename', async () => {
    const file = touch(path.join(tmp, 'elsewhere', 'Qwen2.5-1.5B.Q4.GGUF'));
    expect(await locateModel(config({ model: file }), unusedPuller)).toEqual({
      path: file,
      source: file,
      name: 'Qwen2.5-1.5B.Q4',
      testModel: false,
    });
  });

  it('names a configured path after MNEME_LLM_MODEL_NAME when set', async () => {
    const file = touch(path.join(tmp, 'model.gguf'));
    const located = await locateModel(config({ model: file, modelName: 'my-model' }), unusedPuller);
    expect(located.name).toBe('my-model');
    expect(located.path).toBe(file);
  });

  it('picks the first .gguf of the models dir in sorted order', async () => {
    const dir = path.join(tmp, 'models');
    touch(path.join(dir, 'b.gguf'));
    touch(path.join(dir, 'a.gguf'));
    touch(path.join(dir, '0-readme.txt'));
    const located = await locateModel(config(), unusedPuller);
    expect(located).toEqual({
      path: path.join(dir, 'a.gguf'),
      source: path.join(dir, 'a.gguf'),
      name: 'a',
      testModel: false,
    });
  });

  it.each([
    ['empty', true],
    ['missing', false],
  ])('falls back to the bundled test model when the models dir is %s', async (_label, create) => {
    if (create) mkdirSync(path.join(tmp, 'models'));
    const located = await locateModel(config(), unusedPuller);
    expect(located.testModel).toBe(true);
    expect(located.name).toBe('mneme-test-model');
    expect(
      located.path.endsWith(path.join('test', 'fixtures', 'models', 'tiny-llama', 'tiny-llama.gguf')),
    ).toBe(true);
    expect(located.path.endsWith(BUNDLED_TEST_MODEL)).toBe(true);
    expect(path.isAbsolute(located.path)).toBe(true);
  });

  it('pulls an hf: URI into the models dir', async () => {
    const calls: [string, string][] = [];
    const pull: ModelPuller = (uri, directory) => {
      calls.push([uri, directory]);
      return Promise.resolve(path.join(directory, 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf'));
    };
    const uri = 'hf:bartowski/Qwen2.5-1.5B-Instruct-GGUF:Q4_K_M';
    const cfg = config({ model: uri });
    const located = await locateModel(cfg, pull);
    expect(calls).toEqual([[uri, cfg.modelsDir]]);
    expect(located).toEqual({
      path: path.join(cfg.modelsDir, 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf'),
      source: uri,
      name: 'Qwen2.5-1.5B-Instruct-Q4_K_M',
      testModel: false,
    });
  });

  it('explains how to work offline when pulling fails', async () => {
    const offline = new Error('getaddrinfo ENOTFOUND huggingface.co');
    const pull: ModelPuller = async () => {
      await Promise.resolve();
      throw offline;
    };
    const uri = 'hf:org/repo:Q4_K_M';
    const error: unknown = await locateModel(config({ model: uri }), pull).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(uri);
    expect(message).toContain('ENOTFOUND');
    expect(message).toContain('put it into the models dir');
    expect((error as Error).cause).toBe(offline);
  });
});
