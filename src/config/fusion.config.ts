import { z } from 'zod';
import { commaList, splitCommaList } from './comma-list.js';
import type { Env } from './env.schema.js';

export type FusedModality = 'text' | 'image' | 'audio';

export interface FusionConfig {
  /** Zero-shot audio-event labels scored against the CLAP audio embedding. */
  audioLabels: string[];
  /** Weight of each modality's shared-space vector in the fused vector. */
  weights: Record<FusedModality, number>;
  /** Candidate answers for closed visual questions that are neither yes/no nor counts. */
  vqaAnswers: string[];
  /** A label or scored answer below this softmax score is not stated as perceived. */
  minLabelScore: number;
}

// Everyday sound events; a deployment tunes them with MNEME_AUDIO_LABELS.
const DEFAULT_AUDIO_LABELS = splitCommaList(
  'speech,a man speaking,a woman speaking,a child speaking,laughter,music,singing,a dog barking,a cat meowing,' +
    'birds singing,a car engine,traffic,a siren,rain,wind,thunder,water running,footsteps,a door closing,' +
    'applause,a telephone ringing,an alarm,keyboard typing,silence',
);

// Short answers that open-ended questions about everyday photos most often have (colors, things, places,
// activities, materials, weather); MNEME_VQA_ANSWERS replaces the list.
const DEFAULT_VQA_ANSWERS = splitCommaList(
  'red,orange,yellow,green,blue,purple,pink,brown,black,white,gray,' +
    'man,woman,child,people,dog,cat,horse,bird,cow,sheep,elephant,bear,zebra,giraffe,' +
    'car,bus,truck,train,bicycle,motorcycle,airplane,boat,' +
    'pizza,sandwich,cake,banana,apple,donut,coffee,' +
    'table,chair,bed,couch,tv,laptop,phone,book,clock,umbrella,kite,frisbee,skateboard,surfboard,' +
    'tennis,baseball,soccer,skiing,surfing,' +
    'kitchen,bathroom,bedroom,living room,street,beach,park,field,mountain,snow,water,grass,sky,city,office,' +
    'wood,metal,plastic,glass,stone,' +
    'sunny,cloudy,rainy,day,night,left,right,top,bottom,nothing',
);

const unique = (items: readonly string[]): string[] => [...new Set(items)];

export function fusionConfigFrom(e: Env): FusionConfig {
  return {
    audioLabels: unique(e.MNEME_AUDIO_LABELS ?? DEFAULT_AUDIO_LABELS),
    weights: { text: 1, image: 1, audio: 1, ...e.MNEME_FUSION_WEIGHTS },
    vqaAnswers: unique(e.MNEME_VQA_ANSWERS ?? DEFAULT_VQA_ANSWERS),
    minLabelScore: e.MNEME_LABEL_MIN_SCORE,
  };
}

/** `text=1,image=0.5,audio=0.5`: any subset of the modalities, each weight 0..10. */
export const fusionWeightsSchema = commaList().transform((entries, ctx) => {
  const weights: Partial<Record<FusedModality, number>> = {};
  for (const entry of entries) {
    const [name, value] = entry.split('=').map((s) => s.trim());
    const weight = Number(value);
    if ((name !== 'text' && name !== 'image' && name !== 'audio') || !(weight >= 0 && weight <= 10)) {
      ctx.addIssue({ code: 'custom', message: `"${entry}" is not text|image|audio=<0..10>` });
      return z.NEVER;
    }
    weights[name] = weight;
  }
  return weights;
});
