import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fitProjection, serializeFit } from '../../src/modules/fusion/linear-projection.js';
import { postGraphql, startTestApp } from '../support/test-app.js';

const QUERY =
  '{ projections { modality available source target heldOutCosine shuffledCosine pairs problem } }';

it('reports the projections loaded at boot with their fit quality, and why one is missing', async () => {
  const models = mkdtempSync(path.join(os.tmpdir(), 'mneme-models-'));
  mkdirSync(path.join(models, 'fusion'));
  const xs = Array.from({ length: 40 }, (_, k) =>
    Float32Array.from({ length: 8 }, (_, i) => Math.cos(k * 3 + i)),
  );
  // Into the shared space: the bundled text embedder's (tiny-bert, 32 dims).
  const ys = xs.map((x) => Float32Array.from({ length: 32 }, (_, j) => x[j % 8]! - x[(j + 3) % 8]!));
  const fit = fitProjection(xs, ys, { source: 'tiny-clip:8', target: 'tiny-bert:32' });
  writeFileSync(path.join(models, 'fusion', 'clip.projection.json'), serializeFit(fit));
  const server = await startTestApp({ MNEME_MODELS_DIR: models, MNEME_PERCEPTION_PRELOAD: 'false' });
  try {
    const { body } = await postGraphql(server.url, { query: QUERY });
    const [image, audio] = (body as { data: { projections: Record<string, unknown>[] } }).data.projections;
    expect(image).toMatchObject({
      modality: 'image',
      available: true,
      source: 'tiny-clip:8',
      target: 'tiny-bert:32',
      pairs: 40,
      problem: null,
    });
    expect(image!.heldOutCosine as number).toBeCloseTo(fit.quality.heldOutCosine, 5);
    expect(audio).toMatchObject({ modality: 'audio', available: false, source: null });
    expect(audio!.problem).toMatch(/no clap\.projection\.json/);
  } finally {
    await server.close();
  }
});
