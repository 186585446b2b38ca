import { z } from 'zod';
import { boolFlag, int, variableDocs, onnxDtype } from './variable-kit.js';
import { commaList } from '../comma-list.js';

// Images and audio: limits, models and workers.

export const perception = {
  MNEME_MEDIA_MAX_BYTES: int(1024, 1024 ** 3)
    .default(25 * 1024 * 1024)
    .register(variableDocs, { meaning: 'largest image or audio file' }),
  MNEME_IMAGE_MAX_PIXELS: int(1, 1_000_000_000).default(50_000_000).register(variableDocs, {
    meaning: 'largest image by declared pixel count (bombs are refused from the header)',
  }),
  MNEME_IMAGES_PER_REQUEST: int(1, 64).default(8).register(variableDocs, {
    meaning: 'images one request may carry, counted across all its fields (GraphQL) or messages (REST)',
  }),
  MNEME_AUDIO_PER_REQUEST: int(1, 64).default(2).register(variableDocs, {
    meaning:
      'audio clips one request may carry; with the images, also the most files a multipart request may hold',
  }),
  MNEME_MEDIA_WORKERS: int(1, 64).optional().register(variableDocs, {
    meaning: 'worker threads that decode and resample audio off the event loop',
    default: 'half the cores',
  }),
  MNEME_VISION_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a transformers.js CLIP-family folder (ONNX `vision_model` + `text_model`)',
    default: '`./models/clip`, else the bundled tiny test model',
  }),
  MNEME_VISION_LABELS: commaList().optional().register(variableDocs, {
    meaning: 'default zero-shot image labels, comma-separated',
    default: 'everyday labels (a person, a dog, a street, a document, …)',
  }),
  MNEME_ASR_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a transformers.js Whisper or wav2vec2-CTC folder',
    default: '`./models/asr`, else the bundled tiny Whisper',
  }),
  MNEME_AUDIO_EMBEDDING_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a transformers.js CLAP-family folder',
    default: '`./models/clap`, else the bundled tiny CLAP',
  }),
  MNEME_AUDIO_MAX_SECONDS: int(1, 86_400).default(600).register(variableDocs, {
    meaning: 'longest audio accepted; MP3/Ogg decoding stops there, longer files are `AUDIO_TOO_LONG`',
  }),
  MNEME_ONNX_DTYPE: onnxDtype.default('fp32').register(variableDocs, {
    meaning:
      'which ONNX weights to load from each perception folder: `fp32` (`<name>.onnx`), `q8` ' +
      '(`<name>_quantized.onnx`), `fp16`, `int8`, `uint8`, `q4`',
  }),
  MNEME_VISION_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'the same choice for the vision model only',
    default: '`MNEME_ONNX_DTYPE`',
  }),
  MNEME_ASR_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'the same choice for the speech model only (e.g. `MNEME_ASR_DTYPE=q8`: int8 speech, fp32 CLIP)',
    default: '`MNEME_ONNX_DTYPE`',
  }),
  MNEME_AUDIO_EMBEDDING_DTYPE: onnxDtype.optional().register(variableDocs, {
    meaning: 'the same choice for the audio embedding model only',
    default: '`MNEME_ONNX_DTYPE`',
  }),
  MNEME_PERCEPTION_PRELOAD: boolFlag
    .default(true)
    .register(variableDocs, { meaning: 'load perception models at boot (`false`: at first use)' }),
};
