import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ModelCatalog } from '../../common/model-catalog.js';
import type { AppConfig } from '../../config/app-config.js';
import { AudioEmbedder } from '../audio/audio-embedder.service.js';
import { TextEmbedderService } from '../embedding/text-embedder.service.js';
import { ClipEncoder } from '../vision/clip-encoder.service.js';
import { fitProjections } from './fit-projections.js';
import { serializeFit, type ProjectionFit } from './linear-projection.js';
import { PROJECTION_FILES } from './projection-store.service.js';

/**
 * Fits the CLIP and CLAP text towers the configuration names into its text embedder's space and writes the
 * projection files the server loads at boot (`<out>/clip.projection.json`, `<out>/clap.projection.json`).
 */
export async function fitToFiles(
  config: AppConfig,
  texts: string[],
  out: string,
): Promise<{ file: string; fit: ProjectionFit }[]> {
  const catalog = new ModelCatalog();
  const target = new TextEmbedderService(config, catalog);
  const clip = new ClipEncoder(config, catalog);
  const clap = new AudioEmbedder(config, catalog);
  try {
    const [clipFit, clapFit] = await fitProjections(
      texts,
      { name: target.model.name, embed: (t) => target.embed(t) },
      [
        { name: clip.model.name, embed: (t) => clip.embedLabels(t) },
        { name: clap.model.name, embed: (t) => clap.embedTexts(t) },
      ],
    );
    mkdirSync(out, { recursive: true });
    const written = [
      { file: path.join(out, PROJECTION_FILES.image), fit: clipFit! },
      { file: path.join(out, PROJECTION_FILES.audio), fit: clapFit! },
    ];
    for (const { file, fit } of written) writeFileSync(file, serializeFit(fit));
    return written;
  } finally {
    await Promise.all([
      target.onApplicationShutdown(),
      clip.onApplicationShutdown(),
      clap.onApplicationShutdown(),
    ]);
  }
}
