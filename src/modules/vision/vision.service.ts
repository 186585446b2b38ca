import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { dot } from '../../common/vector.js';
import { AppConfig } from '../../config/app-config.js';
import { withSpan } from '../../telemetry/tracing.js';
import type { MediaInput } from '../media/media-input.js';
import { MediaReader } from '../media/media-reader.service.js';
import { ClipEncoder } from './clip-encoder.service.js';
import { decodeImage } from './image-decoder.js';

export interface ImageVector {
  vector: Float32Array;
  width: number;
  height: number;
}

export interface RankedLabel {
  label: string;
  score: number;
}

// Trained CLIP models learn a logit scale that saturates at 100; the split ONNX towers do not export it.
const CLIP_LOGIT_SCALE = 100;
const MAX_LABELS = 256;

/** Sees: decodes images, preprocesses them as the model prescribes, and embeds or labels them in one batch. */
@Injectable()
export class VisionService {
  constructor(
    private readonly clip: ClipEncoder,
    private readonly reader: MediaReader,
    private readonly config: AppConfig,
  ) {}

  get modelName(): string {
    return this.clip.model.name;
  }

  /** Embeds all images of one request as one batch (normalized vectors in the model's space). */
  async encode(inputs: MediaInput[], trace: Context): Promise<ImageVector[]> {
    const limit = this.config.perception.imagesPerRequest;
    if (inputs.length === 0) throw new MnemeError(ErrorCode.BAD_REQUEST, 'Give at least one image.');
    if (inputs.length > limit) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `At most ${limit} images per request (MNEME_IMAGES_PER_REQUEST).`,
      );
    }
    return withSpan(
      'vision.encode',
      trace,
      { 'mneme.modality': 'image', 'mneme.model': this.modelName },
      async (span) => {
        const what = (i: number) => (inputs.length === 1 ? 'The image' : `Image ${i + 1}`);
        const media = await Promise.all(inputs.map((input, i) => this.reader.read(input, what(i))));
        const images = await Promise.all(
          media.map((m, i) =>
            decodeImage(m, this.clip.preprocessor, this.config.perception.maxImagePixels, what(i)),
          ),
        );
        const vectors = await this.clip.embedImages(this.clip.preprocessor.toPixels(images), images.length);
        span.setAttributes({
          'mneme.batch.size': images.length,
          'mneme.media.bytes': media.reduce((sum, m) => sum + m.bytes.length, 0),
          'mneme.image.pixels': images.reduce((sum, im) => sum + im.sourceWidth * im.sourceHeight, 0),
        });
        return images.map((image, i) => ({
          vector: vectors[i]!,
          width: image.sourceWidth,
          height: image.sourceHeight,
        }));
      },
    );
  }

  /** Zero-shot labels: the image's similarity to each label text, as a softmax over the labels, best first. */
  async classify(input: MediaInput, labels: string[] | undefined, trace: Context): Promise<RankedLabel[]> {
    const candidates = [
      ...new Set((labels ?? this.config.perception.labels).map((l) => l.trim()).filter(Boolean)),
    ];
    if (candidates.length === 0)
      throw new MnemeError(ErrorCode.BAD_REQUEST, 'Give at least one non-empty label.');
    if (candidates.length > MAX_LABELS || candidates.some((l) => l.length > 200)) {
      throw new MnemeError(
        ErrorCode.BAD_REQUEST,
        `At most ${MAX_LABELS} labels of at most 200 characters each.`,
      );
    }
    const [image] = await this.encode([input], trace);
    const texts = await this.clip.embedLabels(candidates);
    const logits = texts.map((t) => CLIP_LOGIT_SCALE * dot(image!.vector, t));
    const max = Math.max(...logits);
    const exps = logits.map((l) => Math.exp(l - max));
    const total = exps.reduce((a, b) => a + b, 0);
    return candidates
      .map((label, i) => ({ label, score: exps[i]! / total }))
      .sort((a, b) => b.score - a.score);
  }
}
