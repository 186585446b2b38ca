import { onnxWorker, type OnnxModelInfo, type OnnxModelKind } from './onnx-worker-host.js';
import type { AsrFamily, OnnxDtype, Transcript } from './transformers.adapter.js';

export type { AsrFamily, OnnxDtype, Transcript };

/**
 * The perception models as the rest of the server sees them: the same calls as transformers.adapter's classes,
 * run in the ONNX worker thread. Inputs are copied over (a window of a longer clip is sent alone, not the whole
 * clip's buffer); outputs move back without a copy.
 */
class WorkerModel {
  private reloading: Promise<void> | undefined;

  private constructor(
    private readonly kind: OnnxModelKind,
    private readonly folder: string,
    private readonly dtype: OnnxDtype,
    private handle: number,
    private generation: number,
    readonly info: OnnxModelInfo,
  ) {}

  static async load(kind: OnnxModelKind, folder: string, dtype: OnnxDtype): Promise<WorkerModel> {
    const generation = onnxWorker.generation;
    const { handle, info } = await onnxWorker.load(kind, folder, dtype);
    return new WorkerModel(kind, folder, dtype, handle, generation, info);
  }

  async call<T>(method: string, ...args: unknown[]): Promise<T> {
    if (this.generation !== onnxWorker.generation) await (this.reloading ??= this.reload());
    const sent = args.map(ownCopy);
    const transfer = sent
      .filter((a): a is Float32Array => a instanceof Float32Array)
      .map((a) => a.buffer as ArrayBuffer);
    return (await onnxWorker.call(this.handle, method, sent, transfer)) as T;
  }

  dispose(): Promise<void> {
    return onnxWorker.dispose(this.handle, this.generation);
  }

  /** The worker was replaced (it died): load this model again in the new one, once for all callers. */
  private async reload(): Promise<void> {
    try {
      const generation = onnxWorker.generation;
      this.handle = (await onnxWorker.load(this.kind, this.folder, this.dtype)).handle;
      this.generation = generation;
    } finally {
      this.reloading = undefined;
    }
  }
}

/** A view of part of a larger buffer is copied alone: posting the view would copy (or move) the whole buffer. */
function ownCopy(arg: unknown): unknown {
  return arg instanceof Float32Array ? arg.slice() : arg;
}

export class ClipTowers {
  private constructor(private readonly model: WorkerModel) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<ClipTowers> {
    return new ClipTowers(await WorkerModel.load('clip', folder, dtype));
  }

  /** Image embeddings (unnormalized) for a batch of preprocessed images, NCHW float32. */
  embedImages(pixels: Float32Array, batch: number, height: number, width: number): Promise<Float32Array[]> {
    return this.model.call('embedImages', pixels, batch, height, width);
  }

  /** Text embeddings (unnormalized) for a batch of strings. */
  embedTexts(texts: string[]): Promise<Float32Array[]> {
    return this.model.call('embedTexts', texts);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

export class SpeechRecognizer {
  private constructor(private readonly model: WorkerModel) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<SpeechRecognizer> {
    return new SpeechRecognizer(await WorkerModel.load('asr', folder, dtype));
  }

  get sampleRate(): number {
    return this.model.info.sampleRate!;
  }

  get family(): AsrFamily {
    return this.model.info.family as AsrFamily;
  }

  transcribe(
    audio: Float32Array,
    options: { language?: string; chunkSeconds: number; strideSeconds: number },
  ): Promise<Transcript> {
    return this.model.call('transcribe', audio, options);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

export class ClapTowers {
  private constructor(private readonly model: WorkerModel) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<ClapTowers> {
    return new ClapTowers(await WorkerModel.load('clap', folder, dtype));
  }

  get sampleRate(): number {
    return this.model.info.sampleRate!;
  }

  /** Longest audio the feature extractor takes whole (longer input must be windowed by the caller). */
  get windowSeconds(): number {
    return this.model.info.windowSeconds!;
  }

  /** Audio embedding (unnormalized) of one window at `sampleRate`. */
  embedAudio(samples: Float32Array): Promise<Float32Array> {
    return this.model.call('embedAudio', samples);
  }

  embedTexts(texts: string[]): Promise<Float32Array[]> {
    return this.model.call('embedTexts', texts);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

export class TextEmbedder {
  private constructor(private readonly model: WorkerModel) {}

  static async load(folder: string, dtype: OnnxDtype = 'fp32'): Promise<TextEmbedder> {
    return new TextEmbedder(await WorkerModel.load('text', folder, dtype));
  }

  get dims(): number {
    return this.model.info.dims!;
  }

  /** One normalized vector per text, computed as one batch. */
  embed(texts: string[]): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    return this.model.call('embed', texts);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}
