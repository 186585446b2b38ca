import { Injectable } from '@nestjs/common';
import type { Context } from '@opentelemetry/api';
import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import { rankLabels, textStanding, type RankedLabel } from '../../common/zero-shot.js';
import { AppConfig } from '../../config/app-config.js';
import { withSpan } from '../../telemetry/tracing.js';
import type { MediaInput } from '../media/media-input.js';
import { MediaReader } from '../media/media-reader.service.js';
import { toJpeg } from '../../engines/image/sharp.adapter.js';
import { ClipEncoder } from './clip-encoder.service.js';
import { decodeImage } from './image-decoder.js';

export interface ImageVector {
  vector: Float32Array;
  width: number;
  height: number;
  /** The file as received, for callers that pass the image on (to a vision LLM). */
  bytes: Buffer;
}

/** Longest side of an image sent to a vision LLM: about what its own encoder downscales to. */
const LLM_IMAGE_SIDE = 1024;

export type { RankedLabel };
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
      'encode.image',
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
          bytes: media[i]!.bytes,
        }));
      },
    );
  }

  /** The image as a JPEG data: URL of at most LLM_IMAGE_SIDE pixels a side, for a vision LLM. */
  async llmImageUrl(bytes: Buffer): Promise<string> {
    const jpeg = await toJpeg(bytes, LLM_IMAGE_SIDE, this.config.perception.maxImagePixels);
    return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
  }

  /** Zero-shot labels: the image's similarity to each label text, as a softmax over the labels, best first. */
  async classify(input: MediaInput, labels: string[] | undefined, trace: Context): Promise<RankedLabel[]> {
    const candidates = checkedLabels(labels ?? this.config.perception.labels);
    const [image] = await this.encode([input], trace);
    return this.rank(image!.vector, candidates, true);
  }

  /**
   * Ranks texts against an image vector from encode(): label sets (cached: asked for again and again) or
   * one-off texts such as question-conditioned answer prompts (not cached).
   */
  async rank(imageVector: Float32Array, texts: string[], cache: boolean): Promise<RankedLabel[]> {
    const vectors = cache ? await this.clip.embedLabels(texts) : await this.clip.embedTexts(texts);
    return rankLabels(imageVector, texts, vectors);
  }

  /**
   * How well `text` describes the image in CLIP's own space, against the default label set (0..1; undefined
   * without labels): alignment on an install with no fitted projection.
   */
  textStanding(imageVector: Float32Array, text: string): Promise<number | undefined> {
    return textStanding(this.clip, imageVector, text, this.config.perception.labels);
  }
}

/** Trimmed, de-duplicated and bounded label texts. */
export function checkedLabels(labels: readonly string[]): string[] {
  const candidates = [...new Set(labels.map((l) => l.trim()).filter(Boolean))];
  if (candidates.length === 0)
    throw new MnemeError(ErrorCode.BAD_REQUEST, 'Give at least one non-empty label.');
  if (candidates.length > MAX_LABELS || candidates.some((l) => l.length > 200)) {
    throw new MnemeError(
      ErrorCode.BAD_REQUEST,
      `At most ${MAX_LABELS} labels of at most 200 characters each.`,
    );
  }
  return candidates;
}
