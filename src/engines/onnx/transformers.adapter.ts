import path from 'node:path';
import {
  AutoProcessor,
  AutoTokenizer,
  CLIPTextModelWithProjection,
  CLIPVisionModelWithProjection,
  ClapAudioModelWithProjection,
  ClapTextModelWithProjection,
  Tensor,
  env,
  pipeline,
} from '@huggingface/transformers';
import type { OnnxDtype } from '../../config/app-config.js';

// The only file that imports @huggingface/transformers (docs/conventions.md rule 1). Models load from local
// folders only: the server never reaches a model hub at run time.
env.allowRemoteModels = false;
// Library warnings (e.g. Whisper defaulting to English when no language is given) would go to stdout on every
// call; errors still surface as exceptions.
env.logLevel = 40; // LogLevel.ERROR

// ONNX weight variants transformers.js knows (fp32 `<name>.onnx`, q8 `<name>_quantized.onnx`, fp16, q4, …): the
// list MNEME_ONNX_DTYPE accepts, so config and loader cannot disagree.
export type { OnnxDtype };

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

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<ClipTowers> {
    const vision = await fromFolder(folder, (id) =>
      CLIPVisionModelWithProjection.from_pretrained(id, { dtype }),
    );
    try {
      const text = await fromFolder(folder, (id) =>
        CLIPTextModelWithProjection.from_pretrained(id, { dtype }),
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

export type AsrFamily = 'whisper' | 'ctc';

export interface Transcript {
  text: string;
  language: string | null;
}

interface AsrPipeline {
  (audio: Float32Array, options?: Record<string, unknown>): Promise<{ text: string }>;
  model: {
    config: { model_type: string };
    (inputs: unknown): Promise<{ logits: Tensor }>;
    dispose(): Promise<void>;
  };
  processor: ((audio: Float32Array) => Promise<unknown>) & {
    feature_extractor: { config: { sampling_rate: number } };
  };
  tokenizer: { decode(ids: number[], options: { skip_special_tokens: boolean }): string };
  dispose(): Promise<void>;
}

/**
 * Speech-to-text through a transformers.js ASR pipeline; the family comes from the model's config. Whisper chunks
 * long audio itself; CTC models are chunked here, on logits, with overlapping strides (the pipeline would not).
 */
export class SpeechRecognizer {
  private constructor(
    private readonly asr: AsrPipeline,
    readonly family: AsrFamily,
  ) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<SpeechRecognizer> {
    const asr = (await fromFolder(folder, (id) =>
      pipeline('automatic-speech-recognition', id, { dtype }),
    )) as unknown as AsrPipeline;
    return new SpeechRecognizer(asr, asr.model.config.model_type === 'whisper' ? 'whisper' : 'ctc');
  }

  get sampleRate(): number {
    return this.asr.processor.feature_extractor.config.sampling_rate;
  }

  async transcribe(
    audio: Float32Array,
    options: { language?: string; chunkSeconds: number; strideSeconds: number },
  ): Promise<Transcript> {
    if (this.family === 'whisper') {
      const result = await this.asr(audio, {
        chunk_length_s: options.chunkSeconds,
        stride_length_s: options.strideSeconds,
        ...(options.language ? { language: options.language, task: 'transcribe' } : {}),
      });
      return { text: result.text.trim(), language: options.language ?? null };
    }
    return {
      text: await this.transcribeCtc(audio, options.chunkSeconds, options.strideSeconds),
      language: null,
    };
  }

  private async transcribeCtc(
    audio: Float32Array,
    chunkSeconds: number,
    strideSeconds: number,
  ): Promise<string> {
    const rate = this.sampleRate;
    const chunk = Math.round(chunkSeconds * rate);
    const stride = Math.round(strideSeconds * rate);
    const ids: number[] = [];
    // Each window carries `stride` samples of context on both sides; only its centre's frames are kept.
    for (let start = 0; start < audio.length; start += chunk - 2 * stride) {
      const end = Math.min(audio.length, start + chunk);
      const inputs = await this.asr.processor(audio.subarray(start, end));
      const { logits } = await this.asr.model(inputs);
      const [, frames, vocab] = logits.dims as [number, number, number];
      const perSample = frames / (end - start);
      const keepFrom = start === 0 ? 0 : Math.round(stride * perSample);
      const keepTo = end === audio.length ? frames : Math.round((end - start - stride) * perSample);
      const data = logits.data as Float32Array;
      for (let f = keepFrom; f < keepTo; f++) ids.push(argmax(data, f * vocab, vocab));
      if (end === audio.length) break;
    }
    return this.asr.tokenizer.decode(ids, { skip_special_tokens: true }).trim();
  }

  async dispose(): Promise<void> {
    await this.asr.dispose();
  }
}

/** A CLAP-family model: audio and text towers in one space. */
export class ClapTowers {
  private constructor(
    private readonly audio: ClapAudioModelWithProjection,
    private readonly text: ClapTextModelWithProjection,
    private readonly processor: ((audio: Float32Array) => Promise<Record<string, Tensor>>) & {
      feature_extractor: { config: { sampling_rate: number; max_length_s?: number } };
    },
    private readonly tokenizer: AutoTokenizer,
  ) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<ClapTowers> {
    const audio = await fromFolder(folder, (id) =>
      ClapAudioModelWithProjection.from_pretrained(id, { dtype }),
    );
    try {
      const text = await fromFolder(folder, (id) =>
        ClapTextModelWithProjection.from_pretrained(id, { dtype }),
      );
      const processor = await fromFolder(folder, (id) => AutoProcessor.from_pretrained(id));
      const tokenizer = await fromFolder(folder, (id) => AutoTokenizer.from_pretrained(id));
      return new ClapTowers(audio, text, processor as never, tokenizer);
    } catch (error) {
      await audio.dispose();
      throw error;
    }
  }

  get sampleRate(): number {
    return this.processor.feature_extractor.config.sampling_rate;
  }

  /** Longest audio the feature extractor takes whole (longer input must be windowed by the caller). */
  get windowSeconds(): number {
    return this.processor.feature_extractor.config.max_length_s ?? 10;
  }

  /** Audio embedding (unnormalized) of one window at `sampleRate`. */
  async embedAudio(samples: Float32Array): Promise<Float32Array> {
    const features = await this.processor(samples);
    const output = (await this.audio(features)) as { audio_embeds: Tensor };
    return rows(output.audio_embeds)[0]!;
  }

  async embedTexts(texts: string[]): Promise<Float32Array[]> {
    const tokenize = this.tokenizer as unknown as (t: string[], o: object) => Record<string, Tensor>;
    const output = (await this.text(tokenize(texts, { padding: true, truncation: true }))) as {
      text_embeds: Tensor;
    };
    return rows(output.text_embeds);
  }

  async dispose(): Promise<void> {
    await this.audio.dispose();
    await this.text.dispose();
  }
}

function argmax(data: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (data[offset + i]! > data[offset + best]!) best = i;
  return best;
}

function rows(tensor: Tensor): Float32Array[] {
  const [count, dims] = tensor.dims as [number, number];
  const data = tensor.data as Float32Array;
  return Array.from({ length: count }, (_, i) => data.slice(i * dims, (i + 1) * dims));
}

/** A sentence-embedding model (BERT, MiniLM, BGE, …): mean-pooled, L2-normalized token states. */
export class TextEmbedder {
  private constructor(
    private readonly extract: (
      texts: string[],
      options: { pooling: 'mean'; normalize: boolean },
    ) => Promise<Tensor>,
    readonly dims: number,
    private readonly release: () => Promise<void>,
  ) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<TextEmbedder> {
    const extractor = await fromFolder(folder, (id) => pipeline('feature-extraction', id, { dtype }));
    const extract = (texts: string[], options: { pooling: 'mean'; normalize: boolean }) =>
      extractor(texts, options);
    // The width is what the model really outputs, not what a config claims.
    const probe = await extract(['probe'], { pooling: 'mean', normalize: true });
    return new TextEmbedder(extract, probe.dims[1]!, () => extractor.dispose());
  }

  /** One normalized vector per text, computed as one batch. */
  async embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const output = await this.extract(texts, { pooling: 'mean', normalize: true });
    const data = output.data as Float32Array;
    return texts.map((_, i) => data.slice(i * this.dims, (i + 1) * this.dims));
  }

  dispose(): Promise<void> {
    return this.release();
  }
}
