import type { FusedModality } from '../../config/fusion.config.js';
import type { ChatImage } from '../../engines/llm/llm-engine.js';
import type { RankedLabel } from '../../common/zero-shot.js';
import type { QuestionKind } from './visual-question.js';

export interface ImagePercept {
  /** Top zero-shot labels, best first. */
  labels: RankedLabel[];
  /** Whether the best label is confident enough to be stated as what the image shows. */
  usable: boolean;
}

/** A closed visual question answered by scoring candidate answers against the image. */
export interface VisualAnswer {
  kind: QuestionKind;
  answer: string;
  confidence: number;
  /** The best candidates with their scores. */
  candidates: RankedLabel[];
}

/** What fusion made of one request's text, images and audio. */
export interface Percept {
  images: ImagePercept[];
  transcript: string | undefined;
  /** Audio-event labels, best first (empty without audio). */
  audioEvents: RankedLabel[];
  visualAnswer: VisualAnswer | undefined;
  /** Each modality's vector in the shared space; a modality without a fitted projection is absent. */
  vectors: Partial<Record<FusedModality, Float32Array>>;
  /** The weighted, normalized combination of `vectors`. */
  fused: Float32Array | undefined;
  /**
   * Cross-modal agreement 0..1: in the shared space with two modalities there; otherwise the prompt against each
   * medium in its model's own joint space (CLIP, CLAP); null when neither applies.
   */
  alignment: number | null;
  /** Where `alignment` was measured; undefined when it is null. */
  alignmentSpace: 'shared' | 'native' | undefined;
  /**
   * How questions about the images are answered: candidate answers scored by the CLIP-class encoder, or the
   * images sent to a vision LLM; undefined without images.
   */
  imageAnswering: 'candidate-scoring' | 'vision-llm' | undefined;
  /** The images as sent to a vision LLM (JPEG data: URLs); empty unless imageAnswering is vision-llm. */
  llmImages: ChatImage[];
  /** SHA-256 (hex) of each media file as received: images in order, then the audio. */
  mediaHashes: string[];
  /** True when the prompt asks about the images and nothing usable was perceived in them. */
  imagesUnrecognized: boolean;
  /** The text context for the LLM, each line marked with its source. */
  context: string;
}
