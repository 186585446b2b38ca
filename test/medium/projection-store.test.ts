import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { loadConfig } from '../../src/config/app-config.js';
import {
  fitProjection,
  project,
  serializeFit,
  type ProjectionFit,
} from '../../src/modules/fusion/linear-projection.js';
import { ProjectionStore } from '../../src/modules/fusion/projection-store.service.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';

const ctx = { trace: ROOT_CONTEXT };

function pairs(inDims: number, outDims: number) {
  const xs = Array.from({ length: 60 }, (_, k) =>
    Float32Array.from({ length: inDims }, (_, i) => Math.sin(k * 7 + i)),
  );
  const ys = xs.map((x) => Float32Array.from({ length: outDims }, (_, j) => x[j % inDims]! * 2 + 0.1 * j));
  return { xs, ys };
}

async function storeWith(files: Record<string, string>): Promise<ProjectionStore> {
  const models = mkdtempSync(path.join(os.tmpdir(), 'mneme-fusion-'));
  mkdirSync(path.join(models, 'fusion'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(models, 'fusion', name), text);
  const store = new ProjectionStore(
    loadConfig({ MNEME_MODELS_DIR: models, MNEME_LOG_LEVEL: 'error' }),
    embedder,
  );
  await store.onModuleInit();
  return store;
}

// The shared space is the real (bundled) text embedder's; the fits map synthetic 12-dim sources into it.
const embedder = new TextEmbedderService(loadConfig({}), new ModelCatalog());
let target: { name: string; dims: number };
let xs: Float32Array[];
let ys: Float32Array[];
let fit: ProjectionFit;

beforeAll(async () => {
  target = await embedder.identity();
  ({ xs, ys } = pairs(12, target.dims));
  fit = fitProjection(xs, ys, { source: 'clip:12', target: `${target.name}:${target.dims}` });
});

describe('ProjectionStore', () => {
  it('loads the fitted projections from <models dir>/fusion and projects with them', async () => {
    const store = await storeWith({ 'clip.projection.json': serializeFit(fit) });
    const [image, audio] = store.status();
    expect(image).toMatchObject({ modality: 'image', problem: undefined });
    expect(image!.fit!.weights).toEqual(fit.weights);
    expect(audio!.fit).toBeUndefined();
    expect(audio!.problem).toMatch(/no clap\.projection\.json .* run npm run fusion:fit/);
    expect(await store.project('image', xs[0]!, ctx)).toEqual(project(fit, xs[0]!));
    expect(await store.project('audio', xs[0]!, ctx)).toBeUndefined();
  });

  it('ignores a corrupt file, saying why, and keeps serving the other modality', async () => {
    const store = await storeWith({
      'clip.projection.json': '{"version":1,',
      'clap.projection.json': serializeFit(fit),
    });
    const [image, audio] = store.status();
    expect(image!.fit).toBeUndefined();
    expect(image!.problem).toContain('clip.projection.json');
    expect(audio!.fit).toBeDefined();
  });

  it('scores agreeing vectors high and mismatched ones low, calibrated by the loaded fits', async () => {
    const store = await storeWith({ 'clip.projection.json': serializeFit(fit) });
    const held = [4, 9, 14, 19, 24];
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    const agree = mean(await Promise.all(held.map((k) => store.align([project(fit, xs[k]!), ys[k]!], ctx))));
    const disagree = mean(
      await Promise.all(held.map((k) => store.align([project(fit, xs[k]!), ys[(k + 17) % 60]!], ctx))),
    );
    expect(agree).toBeGreaterThan(0.9);
    expect(disagree).toBeLessThan(agree);
  });

  it('refuses a fit into another space than the configured text embedder’s', async () => {
    const other = fitProjection(xs, ys, { source: 'clip:12', target: `another-embedder:${target.dims}` });
    const store = await storeWith({ 'clip.projection.json': serializeFit(other) });
    const [image] = store.status();
    expect(image!.fit).toBeUndefined();
    expect(image!.problem).toMatch(
      /fitted into another-embedder:\d+, but the shared space is .*re-run npm run fusion:fit/,
    );
  });
});
