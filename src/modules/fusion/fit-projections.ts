import { fitProjection, type ProjectionFit } from './linear-projection.js';

/** A text tower to fit into the target space: its name and how it embeds texts. */
export interface TextTower {
  name: string;
  embed: (texts: string[]) => Promise<Float32Array[]>;
}

const BATCH = 64;

async function embedAll(tower: TextTower, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += BATCH) out.push(...(await tower.embed(texts.slice(i, i + BATCH))));
  return out;
}

/**
 * The same texts embedded by each source tower and by the target: one projection per source, so image (CLIP) and
 * audio (CLAP) embeddings, which live in their towers' text spaces, land in the target space too.
 */
export async function fitProjections(
  texts: string[],
  target: TextTower,
  sources: TextTower[],
): Promise<ProjectionFit[]> {
  const unique = [...new Set(texts.map((t) => t.trim()).filter(Boolean))];
  if (unique.length < 10) throw new Error(`need at least 10 distinct texts to fit, got ${unique.length}`);
  const ys = await embedAll(target, unique);
  const fits: ProjectionFit[] = [];
  for (const source of sources) {
    const xs = await embedAll(source, unique);
    fits.push(
      fitProjection(xs, ys, {
        source: `${source.name}:${xs[0]!.length}`,
        target: `${target.name}:${ys[0]!.length}`,
      }),
    );
  }
  return fits;
}
