import path from 'node:path';
import {
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  Tensor,
  env,
} from '@huggingface/transformers';

// The only file that imports @huggingface/transformers (CONVENTIONS.md rule 1). Models load from local folders
// only: the server never reaches a model hub at run time.
env.allowRemoteModels = false;

// transformers.js resolves a model id against one global folder; loads are serialized so each sees its own.
let loadQueue: Promise<unknown> = Promise.resolve();

function fromFolder<T>(folder: string, load: (id: string) => Promise<T>): Promise<T> {
  const run = loadQueue.then(() => {
    env.localModelPath = path.dirname(path.resolve(folder));
    return load(path.basename(folder));
  });
  loadQueue = run.catch(() => undefined);
  return run;
}

/** The two towers of a CLIP-family model, sharing one embedding space. */
export class ClipTowers {
  private constructor(
    private readonly vision: CLIPVisionModelWithProjection,
    private readonly text: CLIPTextModelWithProjection,
    private readonly tokenizer: AutoTokenizer,
  ) {}

  static async load(folder: string): Promise<ClipTowers> {
    const vision = await fromFolder(folder, (id) =>
      CLIPVisionModelWithProjection.from_pretrained(id, { dtype: 'fp32' }),
    );
    try {
      const text = await fromFolder(folder, (id) =>
        CLIPTextModelWithProjection.from_pretrained(id, { dtype: 'fp32' }),
      );
      const tokenizer = await fromFolder(folder, (id) => AutoTokenizer.from_pretrained(id));
      return new ClipTowers(vision, text, tokenizer);
    } catch (error) {
      await vision.dispose();
      throw error;
    }
  }

  /** Image embeddings (unnormalized) for a batch of preprocessed images, NCHW float32. */
  async embedImages(
    pixels: Float32Array,
    batch: number,
    height: number,
    width: number,
  ): Promise<Float32Array[]> {
    const output = (await this.vision({
      pixel_values: new Tensor('float32', pixels, [batch, 3, height, width]),
    })) as {
      image_embeds: Tensor;
    };
    return rows(output.image_embeds);
  }

  /** Text embeddings (unnormalized) for a batch of strings. */
  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    const tokenize = this.tokenizer as unknown as (t: string[], o: object) => Record<string, Tensor>;
    const inputs = tokenize(texts, { padding: true, truncation: true });
    const output = (await this.text(inputs)) as { text_embeds: Tensor };
    return rows(output.text_embeds);
  }

  async dispose(): Promise<void> {
    await this.vision.dispose();
    await this.text.dispose();
  }
}

function rows(tensor: Tensor): Float32Array[] {
  const [count, dims] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => data.slice(i * dims, (i + 1) * dims));
}
