import { readFileSync } from 'node:fs';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { loadConfig } from '../../src/config/app-config.js';
import { AudioEmbedder } from '../../src/modules/audio/audio-embedder.service.js';
import { fitProjections } from '../../src/modules/fusion/fit-projections.js';
import { parseFit, project, serializeFit } from '../../src/modules/fusion/linear-projection.js';
import { TextEmbedderService } from '../../src/modules/embedding/text-embedder.service.js';
import { ClipEncoder } from '../../src/modules/vision/clip-encoder.service.js';

describe('fitting projections on the fixture text towers', () => {
  const config = loadConfig({ MNEME_LOG_LEVEL: 'error', MNEME_PERCEPTION_PRELOAD: 'false' });
  const catalog = new ModelCatalog();
  const target = new TextEmbedderService(config, catalog);
  const clip = new ClipEncoder(config, catalog);
  const clap = new AudioEmbedder(config, catalog);
  const texts = readFileSync('bench/fusion/texts.txt', 'utf8').split('\n');
  const towers = () =>
    fitProjections(texts, { name: 'tiny-bert', embed: (t) => target.embed(t) }, [
      { name: 'tiny-clip', embed: (t) => clip.embedLabels(t) },
      { name: 'tiny-clap', embed: (t) => clap.embedTexts(t) },
    ]);

  afterAll(async () => {
    await Promise.all([
      target.onApplicationShutdown(),
      clip.onApplicationShutdown(),
      clap.onApplicationShutdown(),
    ]);
  });

  it('maps each tower’s width to the target’s, with fit quality measured on held-out texts', async () => {
    const [clipFit, clapFit] = await towers();
    const { dims } = await target.identity();
    const [clipText] = await clip.embedLabels(['a dog']);
    const [clapText] = await clap.embedTexts(['a dog']);
    expect(clipFit).toMatchObject({
      inDims: clipText!.length,
      outDims: dims,
      source: `tiny-clip:${clipText!.length}`,
    });
    expect(clapFit).toMatchObject({ inDims: clapText!.length, outDims: dims, target: `tiny-bert:${dims}` });
    expect(project(clipFit!, clipText!)).toHaveLength(dims);
    expect(clipFit!.quality.pairs).toBe(360);
    expect(clipFit!.quality.heldOut).toBe(72);
    expect(Math.abs(clipFit!.quality.heldOutCosine)).toBeLessThanOrEqual(1);
  });

  it('is deterministic and survives a save and load', async () => {
    const [first] = await towers();
    const [second] = await towers();
    expect(second!.weights).toEqual(first!.weights);
    expect(parseFit(serializeFit(first!))).toEqual(first);
  });

  it('refuses to fit on too few texts', async () => {
    await expect(
      fitProjections(['a', 'b', 'a'], { name: 't', embed: (t) => target.embed(t) }, []),
    ).rejects.toThrow('need at least 10 distinct texts to fit, got 2');
  });
});
