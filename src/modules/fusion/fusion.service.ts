import { Injectable } from '@nestjs/common';
import type { CallContext } from '../../common/call-context.js';
import { sha256 } from '../../common/content-hash.js';
import { meanNormalized, normalize } from '../../common/vector.js';
import type { RankedLabel } from '../../common/zero-shot.js';
import { AppConfig } from '../../config/app-config.js';
import { withSpan } from '../../telemetry/tracing.js';
import type { FusedModality } from '../../config/fusion.config.js';
import { AudioService, type AudioPercept } from '../audio/audio.service.js';
import type { MediaInput } from '../media/media-input.js';
import { TextEmbedderService } from '../embedding/text-embedder.service.js';
import { VisionService, type ImageVector } from '../vision/vision.service.js';
import type { ImagePercept, Percept, VisualAnswer } from './percept.js';
import { ProjectionStore } from './projection-store.service.js';
import { perceptContext } from './percept-context.js';
import { answerPrompts, candidateAnswers, questionKind, type QuestionKind } from './visual-question.js';

export interface FusionInput {
  text: string;
  images: MediaInput[];
  audio: MediaInput | undefined;
  /**
   * How a question about the images gets answered: candidate answers scored here, the images handed on to a
   * vision LLM (as JPEG data: URLs), or not at all (a recall query asks nothing).
   */
  imageAnswering: 'candidate-scoring' | 'vision-llm' | 'none';
}

const TOP_LABELS = 3;
/** Open-vocabulary answers re-scored with question-conditioned prompts. */
const SHORTLIST = 8;
const ABOUT_IMAGE = /\b(image|photo|picture|pic|this|these|it|see|shown|look)\b/i;

/**
 * Perceives a request's images and audio and fuses them with its text: labels, transcript, sound events and a
 * closed-question answer for the prompt; per-modality vectors in the shared space, one fused vector and their
 * agreement for memory. Bad media fails the request with its own code before anything is generated or stored.
 */
@Injectable()
export class FusionService {
  constructor(
    private readonly vision: VisionService,
    private readonly audio: AudioService,
    private readonly text: TextEmbedderService,
    private readonly projections: ProjectionStore,
    private readonly config: AppConfig,
  ) {}

  async fuse(input: FusionInput, ctx: CallContext): Promise<Percept> {
    const images = input.images.length ? await this.vision.encode(input.images, ctx.trace) : [];
    const heard = input.audio ? await this.audio.perceive(input.audio, ctx.trace, ctx.signal) : undefined;
    const min = this.config.fusion.minLabelScore;
    const imagePercepts: ImagePercept[] = [];
    for (const image of images) {
      const labels = (await this.vision.rank(image.vector, this.config.perception.labels, true)).slice(
        0,
        TOP_LABELS,
      );
      imagePercepts.push({ labels, usable: confident(labels, this.config.perception.labels.length, min) });
    }
    const kind = images.length ? questionKind(input.text) : undefined;
    const scoring = images.length > 0 && input.imageAnswering === 'candidate-scoring';
    const visualAnswer =
      kind && scoring
        ? await withSpan('fusion.answer', ctx.trace, { 'mneme.question.kind': kind }, () =>
            this.answerVisually(input.text, kind, images[0]!.vector),
          )
        : undefined;
    const llmImages =
      input.imageAnswering === 'vision-llm'
        ? await Promise.all(images.map(async (i) => ({ url: await this.vision.llmImageUrl(i.bytes) })))
        : [];
    const vectors = await this.sharedVectors(
      input.text,
      images.map((i) => i.vector),
      heard,
      ctx,
    );
    const present = Object.values(vectors);
    const agreement =
      present.length >= 2
        ? { alignment: await this.projections.align(present, ctx), alignmentSpace: 'shared' as const }
        : await this.nativeAlignment(input.text, images, heard);
    const percept: Omit<Percept, 'context'> = {
      images: imagePercepts,
      transcript: heard?.transcript,
      audioEvents: heard ? heard.events.slice(0, TOP_LABELS) : [],
      visualAnswer,
      vectors,
      fused: this.combine(vectors),
      ...agreement,
      imageAnswering:
        images.length === 0 || input.imageAnswering === 'none' ? undefined : input.imageAnswering,
      llmImages,
      mediaHashes: [...images.map((i) => sha256(i.bytes)), ...(heard ? [heard.sha256] : [])],
      imagesUnrecognized:
        scoring &&
        (kind !== undefined || ABOUT_IMAGE.test(input.text)) &&
        !visualAnswer &&
        imagePercepts.every((p) => !p.usable),
    };
    return { ...percept, context: perceptContext(percept, scoring ? kind : undefined) };
  }

  /**
   * Scores candidate answers against the image with question-conditioned prompts (scored against the first
   * image: a closed question names one picture). An open vocabulary is first shortlisted with cached
   * answer-only prompts, so a new question costs a handful of text encodes, not one per vocabulary entry.
   */
  private async answerVisually(
    question: string,
    kind: QuestionKind,
    image: Float32Array,
  ): Promise<VisualAnswer | undefined> {
    let answers = candidateAnswers(kind, this.config.fusion.vqaAnswers);
    if (answers.length > SHORTLIST) {
      const ranked = await this.vision.rank(
        image,
        answers.map((a) => `a photo of ${a}`),
        true,
      );
      answers = ranked.slice(0, SHORTLIST).map((r) => r.label.slice('a photo of '.length));
    }
    const prompts = answerPrompts(question, answers);
    const ranked = await this.vision.rank(image, prompts, false);
    const candidates = ranked
      .slice(0, TOP_LABELS)
      .map((r) => ({ label: answers[prompts.indexOf(r.label)]!, score: r.score }));
    if (!confident(candidates, answers.length, this.config.fusion.minLabelScore)) return undefined;
    return { kind, answer: candidates[0]!.label, confidence: candidates[0]!.score, candidates };
  }

  /** Each modality in the shared space (the text embedder's): text as is, image and audio projected. */
  /**
   * Without two modalities in the shared space (no fitted projections, as on a fresh install): how well the
   * typed prompt describes each image (CLIP's joint space) and the audio (CLAP's), averaged.
   */
  private async nativeAlignment(
    text: string,
    images: ImageVector[],
    heard: AudioPercept | undefined,
  ): Promise<Pick<Percept, 'alignment' | 'alignmentSpace'>> {
    const words = text.trim();
    const none = { alignment: null, alignmentSpace: undefined };
    if (!words || (images.length === 0 && !heard)) return none;
    const standings = await Promise.all([
      ...images.map((image) => this.vision.textStanding(image.vector, words)),
      ...(heard ? [this.audio.textStanding(heard.vector, words)] : []),
    ]);
    const known = standings.filter((s): s is number => s !== undefined);
    if (known.length === 0) return none;
    return { alignment: known.reduce((a, b) => a + b, 0) / known.length, alignmentSpace: 'native' };
  }

  private async sharedVectors(
    text: string,
    imageVectors: Float32Array[],
    heard: AudioPercept | undefined,
    ctx: CallContext,
  ): Promise<Partial<Record<FusedModality, Float32Array>>> {
    const vectors: Partial<Record<FusedModality, Float32Array>> = {};
    const words = text.trim() || heard?.transcript.trim();
    if (words) vectors.text = (await this.text.embed([words]))[0]!;
    if (imageVectors.length) {
      const projected = await Promise.all(imageVectors.map((v) => this.projections.project('image', v, ctx)));
      if (projected.every((v) => v !== undefined)) vectors.image = meanNormalized(projected);
    }
    if (heard) {
      const projected = await this.projections.project('audio', heard.vector, ctx);
      if (projected) vectors.audio = normalize(projected);
    }
    return vectors;
  }

  private combine(vectors: Partial<Record<FusedModality, Float32Array>>): Float32Array | undefined {
    const entries = Object.entries(vectors) as [FusedModality, Float32Array][];
    if (entries.length === 0) return undefined;
    const out = new Float32Array(entries[0]![1].length);
    for (const [modality, vector] of entries) {
      const weight = this.config.fusion.weights[modality];
      for (let i = 0; i < out.length; i++) out[i]! += weight * vector[i]!;
    }
    return out.some((v) => v !== 0) ? normalize(out) : undefined;
  }
}

/** A ranking's best entry is worth stating: above the configured floor and clearly above chance. */
function confident(ranked: RankedLabel[], candidates: number, min: number): boolean {
  const best = ranked[0]?.score ?? 0;
  return best >= min && best >= 1.5 / Math.max(1, candidates);
}
