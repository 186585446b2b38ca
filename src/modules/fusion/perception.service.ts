import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { AudioService } from '../audio/audio.service.js';
import type { MediaInput } from '../media/media-input.js';
import { VisionService, type RankedLabel } from '../vision/vision.service.js';

/** What the ask perceived from its media, ready for the prompt and the answer. */
export interface Percept {
  /** Top labels per image, in input order. */
  imageLabels: RankedLabel[][];
  transcript: string | undefined;
  /** The text context for the LLM, each line marked with its source; empty without media. */
  context: string;
}

const TOP_LABELS = 3;

/**
 * Perceives an ask's images and audio (zero-shot labels, transcript) and renders them as prompt context. Bad
 * media fails the ask with its own code (BAD_IMAGE, BAD_AUDIO, …) before anything is generated or remembered.
 */
@Injectable()
export class PerceptionService {
  constructor(
    private readonly vision: VisionService,
    private readonly audio: AudioService,
  ) {}

  async perceive(images: MediaInput[], audio: MediaInput | undefined, ctx: CallContext): Promise<Percept> {
    const imageLabels: RankedLabel[][] = [];
    for (const image of images) {
      imageLabels.push((await this.vision.classify(image, undefined, ctx.trace)).slice(0, TOP_LABELS));
    }
    const transcript = audio ? (await this.audio.transcribe(audio, undefined, ctx.trace)).text : undefined;
    const lines = imageLabels.map(
      (labels, i) =>
        `[image ${i + 1}, zero-shot labels] ` +
        (labels.length
          ? labels.map((l) => `${l.label} (${l.score.toFixed(2)})`).join(', ')
          : 'no usable label'),
    );
    if (transcript !== undefined) {
      lines.push(
        `[audio, transcript] ${transcript.trim() === '' ? '(no speech recognized)' : transcript.trim()}`,
      );
    }
    const context = lines.length
      ? `The user attached media. What the server's encoders perceived (labels are guesses; say so if they do ` +
        `not answer the question):\n${lines.join('\n')}`
      : '';
    return { imageLabels, transcript, context };
  }
}
