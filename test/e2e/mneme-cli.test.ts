import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { buildForChildren } from '../support/build-for-children.js';
import { FakeHub } from '../support/fake-hub.js';
import { FIXTURE_LLM, KEYS, bearer, postGraphql, startTestApp } from '../support/test-app.js';

// `mneme pull recommended` run as a user would (the compiled CLI in a child process) against a local server in
// the hub's layout that serves the fixture models under the preset's repository names; then a start serves them.
const run = promisify(execFile);
const fixtures = path.join(path.dirname(FIXTURE_LLM), '..');
const root = mkdtempSync(path.join(os.tmpdir(), 'mneme-cli-'));
const ggufRepo = path.join(root, 'qwen');
mkdirSync(ggufRepo);
copyFileSync(FIXTURE_LLM, path.join(ggufRepo, 'Qwen2.5-1.5B-Instruct-Q4_K_M.gguf'));
const hub = new FakeHub({
  'bartowski/Qwen2.5-1.5B-Instruct-GGUF': { dir: ggufRepo },
  'Xenova/clip-vit-base-patch32': { dir: path.join(fixtures, 'tiny-clip') },
  'Xenova/whisper-base': { dir: path.join(fixtures, 'tiny-whisper') },
  'Xenova/all-MiniLM-L6-v2': { dir: path.join(fixtures, 'tiny-bert') },
  'Xenova/clap-htsat-unfused': { dir: path.join(fixtures, 'tiny-clap') },
});
let cli: string;

beforeAll(async () => {
  cli = path.join(buildForChildren(), 'cli', 'mneme.js');
  await hub.start();
});
afterAll(async () => {
  await hub.stop();
  rmSync(root, { recursive: true, force: true });
});

const mneme = (...args: string[]) =>
  run(process.execPath, [cli, ...args], {
    env: { ...process.env, MNEME_HF_ENDPOINT: hub.url },
    timeout: 60_000,
  });

describe('the mneme command', () => {
  it('pulls every model of the recommended preset, and a restart serves them all as real models', async () => {
    const modelsDir = path.join(root, 'models');
    const { stdout } = await mneme('pull', 'recommended', '--models-dir', modelsDir);
    expect(stdout).toMatch(
      /✓ llm\s+hf:bartowski\/Qwen2\.5-1\.5B-Instruct-GGUF:Q4_K_M → .*Qwen2\.5-1\.5B-Instruct-Q4_K_M\.gguf/,
    );
    for (const folder of ['clip', 'asr', 'clap', 'text-embedding'])
      expect(existsSync(path.join(modelsDir, folder, 'config.json'))).toBe(true);
    expect(stdout).toMatch(/Restart the server/);

    const listed = await mneme('models', '--models-dir', modelsDir);
    expect(listed.stdout).toMatch(/Qwen2\.5-1\.5B-Instruct-Q4_K_M\s+\S+\.gguf\s+[\d.]+ MB\s+\(default\)/);
    expect(listed.stdout).toMatch(/vision\s+\S+clip\s+\(hf:Xenova\/clip-vit-base-patch32\)/);

    const server = await startTestApp({
      MNEME_LLM_MODEL: '',
      MNEME_MODELS_DIR: modelsDir,
      MNEME_PERCEPTION_PRELOAD: 'true',
    });
    try {
      const { body } = await postGraphql(
        server.url,
        { query: '{ models { name kind state testModel } }' },
        bearer(KEYS.alice),
      );
      expect(body.data.models).toEqual([
        { name: 'Qwen2.5-1.5B-Instruct-Q4_K_M', kind: 'LLM', state: 'READY', testModel: false },
        expect.objectContaining({ kind: 'VISION', state: 'READY', testModel: false }),
        expect.objectContaining({ kind: 'SPEECH_TO_TEXT', testModel: false }),
        expect.objectContaining({ kind: 'AUDIO_EMBEDDING', testModel: false }),
        expect.objectContaining({ kind: 'TEXT_EMBEDDING', testModel: false }),
      ]);
    } finally {
      await server.close();
    }
  });

  it('says what went wrong, and exits non-zero, when the hub cannot be reached or the source is wrong', async () => {
    const failed = await mneme('pull', 'hf:nobody/nothing', '--models-dir', path.join(root, 'other')).catch(
      (error: { code: number; stderr: string; stdout: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1 });
    expect((failed as { stderr: string }).stderr).toMatch(
      /✗ hf:nobody\/nothing: Could not get the file list of nobody\/nothing: 404/,
    );
  });
});
