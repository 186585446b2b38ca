import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HubClient } from '../../src/engines/hub/hub-client.js';
import { ModelPuller } from '../../src/engines/hub/model-puller.js';
import { FakeHub } from '../support/fake-hub.js';
import { freePort } from '../support/free-port.js';
import { FIXTURE_LLM } from '../support/test-app.js';

// The real pull code against a local server in the hub's URL layout, serving the fixture models.
const fixtures = path.join(path.dirname(FIXTURE_LLM), '..');
const root = mkdtempSync(path.join(os.tmpdir(), 'mneme-pull-'));
const ggufRepo = path.join(root, 'gguf-repo');
mkdirSync(ggufRepo);
copyFileSync(FIXTURE_LLM, path.join(ggufRepo, 'Tiny-Chat-Q8_0.gguf'));
copyFileSync(FIXTURE_LLM, path.join(ggufRepo, 'Tiny-Chat-Q4_K_M.gguf'));

const hub = new FakeHub({
  'org/Tiny-Chat-GGUF': { dir: ggufRepo },
  'org/tiny-clip': { dir: path.join(fixtures, 'tiny-clip') },
  'org/tiny-whisper': { dir: path.join(fixtures, 'tiny-whisper') },
  'org/tiny-bert': { dir: path.join(fixtures, 'tiny-bert') },
});
let puller: ModelPuller;
beforeAll(async () => {
  puller = new ModelPuller(new HubClient(await hub.start()));
});
afterAll(async () => {
  await hub.stop();
  rmSync(root, { recursive: true, force: true });
});

const fresh = () => mkdtempSync(path.join(root, 'models-'));
const options = (modelsDir: string, progress: [string, number, number][] = []) => ({
  modelsDir,
  dtypeOf: () => 'fp32' as const,
  onProgress: (file: string, received: number, total: number) => progress.push([file, received, total]),
});

describe('pulling models from the hub', () => {
  it('pulls a GGUF by quantization tag into the models dir, reporting progress to the full size', async () => {
    const modelsDir = fresh();
    const progress: [string, number, number][] = [];
    const result = await puller.pull('hf:org/Tiny-Chat-GGUF:Q4_K_M', options(modelsDir, progress));
    const target = path.join(modelsDir, 'Tiny-Chat-Q4_K_M.gguf');
    expect(result).toMatchObject({ kind: 'llm', target, files: 1, downloaded: 1 });
    expect(readFileSync(target).equals(readFileSync(FIXTURE_LLM))).toBe(true);
    const size = statSync(FIXTURE_LLM).size;
    expect(progress.at(-1)).toEqual(['Tiny-Chat-Q4_K_M.gguf', size, size]);
    expect(progress.length).toBeGreaterThan(1);
    // Pulled again: already in place, nothing fetched.
    expect((await puller.pull('hf:org/Tiny-Chat-GGUF:Q4_K_M', options(modelsDir))).downloaded).toBe(0);
  });

  it('pulls a transformers.js model into the folder its kind is served from, detecting the kind', async () => {
    const modelsDir = fresh();
    const result = await puller.pull('hf:org/tiny-clip', options(modelsDir));
    expect(result).toMatchObject({
      kind: 'vision',
      target: path.join(modelsDir, 'clip'),
      downloaded: result.files,
    });
    expect(readdirSync(path.join(modelsDir, 'clip', 'onnx')).sort()).toEqual([
      'text_model.onnx',
      'vision_model.onnx',
    ]);
    expect(existsSync(path.join(modelsDir, 'clip', 'tokenizer.json'))).toBe(true);
    expect(
      JSON.parse(readFileSync(path.join(modelsDir, 'clip', '.mneme-source.json'), 'utf8')),
    ).toMatchObject({
      source: 'hf:org/tiny-clip',
      kind: 'vision',
    });
    expect(existsSync(path.join(modelsDir, '.pulling', 'clip'))).toBe(false);
  });

  it('resumes an interrupted download from where it stopped, with a range request', async () => {
    const modelsDir = fresh();
    hub.cutAfter.set('onnx/encoder_model.onnx', 50_000);
    await expect(puller.pull('hf:org/tiny-whisper', options(modelsDir))).rejects.toThrow();
    const part = path.join(modelsDir, '.pulling', 'asr', 'onnx', 'encoder_model.onnx.part');
    expect(statSync(part).size).toBe(50_000);
    const before = hub.requests.length;
    const result = await puller.pull('hf:org/tiny-whisper', options(modelsDir));
    expect(result).toMatchObject({ kind: 'speech-to-text', target: path.join(modelsDir, 'asr') });
    expect(hub.requests.slice(before)).toContainEqual({
      path: '/org/tiny-whisper/resolve/main/onnx/encoder_model.onnx',
      range: 'bytes=50000-',
    });
    const original = readFileSync(path.join(fixtures, 'tiny-whisper', 'onnx', 'encoder_model.onnx'));
    expect(readFileSync(path.join(modelsDir, 'asr', 'onnx', 'encoder_model.onnx')).equals(original)).toBe(
      true,
    );
  });

  it('refuses a file whose content does not match the hub’s checksum, keeping nothing of it', async () => {
    const modelsDir = fresh();
    hub.corrupt.add('onnx/model.onnx');
    try {
      await expect(puller.pull('hf:org/tiny-bert', options(modelsDir))).rejects.toThrow(
        /onnx\/model\.onnx did not arrive intact .* sha256 [0-9a-f]{64}, the hub lists [0-9a-f]{64}.*pull again/,
      );
    } finally {
      hub.corrupt.delete('onnx/model.onnx');
    }
    expect(existsSync(path.join(modelsDir, 'text-embedding'))).toBe(false);
    expect(existsSync(path.join(modelsDir, '.pulling', 'text-embedding', 'onnx', 'model.onnx.part'))).toBe(
      false,
    );
  });

  it('says what to do when the quantization, the weights or the hub are not there', async () => {
    await expect(puller.pull('hf:org/Tiny-Chat-GGUF:Q2_K', options(fresh()))).rejects.toThrow(
      /Could not get quantization Q2_K/,
    );
    await expect(
      puller.pull('hf:org/tiny-bert', { ...options(fresh()), dtypeOf: () => 'q8' as const }),
    ).rejects.toThrow(/no q8 ONNX weights for a text-embedding model .* offers fp32\. Set MNEME_ONNX_DTYPE/);
    await expect(puller.pull('not a source', options(fresh()))).rejects.toThrow(/is not a hub source/);
    const offline = new ModelPuller(new HubClient(`http://127.0.0.1:${await freePort()}`));
    await expect(offline.pull('hf:org/tiny-bert', options(fresh()))).rejects.toThrow(
      /Could not reach the model hub at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)\. Without network access/,
    );
  });
});
