import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AutoProcessor, RawImage } from '@huggingface/transformers';
import sharp from 'sharp';
import { ModelCatalog } from '../../src/common/model-catalog.js';
import { loadConfig } from '../../src/config/app-config.js';
import { decodeToRgb } from '../../src/engines/image/sharp.adapter.js';
import { ClipEncoder } from '../../src/modules/vision/clip-encoder.service.js';
import { decodeImage } from '../../src/modules/vision/image-decoder.js';

const CLIP = path.resolve('test/fixtures/models/tiny-clip');
const media = (name: string) => ({
  bytes: readFileSync(path.resolve('test/fixtures/media', name)),
  label: name,
});

const config = loadConfig({ MNEME_VISION_MODEL: CLIP, MNEME_PERCEPTION_PRELOAD: 'false' });
const clip = new ClipEncoder(config, new ModelCatalog());
afterAll(() => clip.onApplicationShutdown());

async function embed(names: string[]): Promise<Float32Array[]> {
  const images = await Promise.all(names.map((n) => decodeImage(media(n), clip.preprocessor, 50_000_000, n)));
  return clip.embedImages(clip.preprocessor.toPixels(images), images.length);
}

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('CLIP preprocessing', () => {
  it('matches transformers.js’ own CLIPImageProcessor on the same photo (resize, crop, normalize)', async () => {
    const photo = media('photo-640x480.jpg');
    const ours = clip.preprocessor.toPixels([
      await decodeImage(photo, clip.preprocessor, 50_000_000, 'photo'),
    ]);
    const { data, info } = await sharp(photo.bytes).raw().toBuffer({ resolveWithObject: true });
    const processor = await AutoProcessor.from_pretrained(CLIP, { local_files_only: true });
    const reference = (await processor(
      new RawImage(new Uint8ClampedArray(data), info.width, info.height, 3),
    )) as {
      pixel_values: { dims: number[]; data: Float32Array };
    };
    expect(reference.pixel_values.dims).toEqual([1, 3, 224, 224]);
    expect(ours).toHaveLength(reference.pixel_values.data.length);
    let diff = 0;
    for (let i = 0; i < ours.length; i++) diff += Math.abs(ours[i]! - reference.pixel_values.data[i]!);
    // Same geometry and normalization; only the bicubic kernels' rounding differs (mean |Δ| well under 1/255 / std).
    expect(diff / ours.length).toBeLessThan(0.02);
  });

  it('center-crops a portrait image to the model size', async () => {
    const plan = clip.preprocessor.plan(300, 600);
    expect(plan).toMatchObject({
      resizeWidth: 224,
      resizeHeight: 448,
      crop: { left: 0, top: 112, width: 224, height: 224 },
    });
    const rgb = await decodeToRgb(media('rotated-exif6.jpg').bytes, clip.preprocessor.plan(32, 64), 1e6);
    expect([rgb.width, rgb.height, rgb.data.length]).toEqual([224, 224, 224 * 224 * 3]);
  });
});

describe('CLIP embeddings', () => {
  it('are unit vectors of the projection size', async () => {
    const [vector] = await embed(['alpha.png']);
    expect(vector).toHaveLength(32);
    expect(Math.sqrt(dot(vector!, vector!))).toBeCloseTo(1, 5);
  });

  it('are the same whether images are batched or encoded one by one', async () => {
    const names = ['alpha.png', 'image.webp', 'photo-640x480.jpg'];
    const batched = await embed(names);
    for (const [i, name] of names.entries()) {
      const [single] = await embed([name]);
      single!.forEach((x, d) => expect(batched[i]![d]).toBeCloseTo(x, 4));
    }
  });

  it('rank labels consistently: label order does not change any label’s similarity', async () => {
    const [image] = await embed(['image.gif']);
    const labels = ['a cat', 'a dog', 'a red square', 'a car', 'a tree'];
    const forward = await clip.embedLabels(labels);
    const backward = await clip.embedLabels([...labels].reverse());
    const score = (vectors: Float32Array[], order: string[]) =>
      Object.fromEntries(order.map((l, i) => [l, dot(image!, vectors[i]!)]));
    const a = score(forward, labels);
    const b = score(backward, [...labels].reverse());
    for (const label of labels) expect(a[label]).toBeCloseTo(b[label]!, 5);
  });
});
