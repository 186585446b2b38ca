import { z } from 'zod';
import { boolFlag, int, variableDocs } from './variable-kit.js';
import { commaList } from '../comma-list.js';
import { fusionWeightsSchema } from '../fusion.config.js';
import { PATH_FIELDS, defaultPathsText, routingPathsSchema } from '../routing.config.js';
import { SHEDDABLE_STAGES } from '../stages.js';
import {
  defaultTargetsText,
  shedStagesSchema,
  sloTargetsSchema,
  untargetedStages,
} from '../telemetry.config.js';

// Fusion, routing and telemetry: what steers and watches the ask pipeline.

export const fusion = {
  MNEME_AUDIO_LABELS: commaList().optional().register(variableDocs, {
    meaning: "audio-event labels scored against the CLAP embedding of an ask's audio, comma-separated",
    default: 'everyday sound events (speech, music, a dog barking, a siren, …)',
  }),
  MNEME_FUSION_WEIGHTS: fusionWeightsSchema.optional().register(variableDocs, {
    meaning: 'weight of each modality in the fused vector, `text=<0..10>,image=<0..10>,audio=<0..10>`',
    default: '`text=1,image=1,audio=1`',
  }),
  MNEME_VQA_ANSWERS: commaList()
    .optional()
    .register(variableDocs, {
      meaning:
        'candidate answers to questions about an image that are neither yes/no nor counts (`what color…`), ' +
        'comma-separated; yes/no and counts 0–10 are built in',
      default: 'about 100 frequent short answers (colors, things, places, …)',
    }),
  MNEME_LABEL_MIN_SCORE: z.coerce.number().min(0).max(1).default(0.2).register(variableDocs, {
    meaning:
      'a label or scored answer below this softmax score (or under 1.5× chance) is not stated as perceived',
    details:
      'An ask about images with nothing above the score gets an honest "I can\'t tell" without the LLM.',
  }),
};

export const routing = {
  MNEME_ROUTING_PATHS: routingPathsSchema.optional().register(variableDocs, {
    meaning:
      'JSON overriding any field of any compute path, e.g. `{"deep":{"model":"qwen-7b","concurrency":2}}`',
    default: 'the paths below',
    details:
      `The fields: ${PATH_FIELDS.map((f) => `\`${f}\``).join(' ')}. A model that is not loaded falls back to ` +
      'the default, and the route says so. `escalateEntropy` (nats, unset by default): also escalate an answer ' +
      'whose mean token min-entropy is above it, where the model scores its tokens and the ask kept the path’s ' +
      'temperature (entropy depends on it); calibrate it for your model with `npm run calibrate:entropy`. ' +
      '`ensemble` (served model names): spread the path’s `samples` over these models; unserved ones are left out ' +
      `and the route says so. The defaults, in short: ${defaultPathsText()}.`,
  }),
  MNEME_ROUTER_MODEL: z.string().min(1).optional().register(variableDocs, {
    meaning: 'a router trained by `npm run router:train`; must match the text embedder it was trained with',
    default: '`<models dir>/router.json` when present',
  }),
  MNEME_ROUTER_MIN_CONFIDENCE: z.coerce
    .number()
    .min(0)
    .max(1)
    .default(0.5)
    .register(variableDocs, { meaning: 'below this probability the learned router defers to the rules' }),
  MNEME_ROUTING_FORCE_TENANTS: commaList()
    .optional()
    .register(variableDocs, { meaning: 'tenants whose `hint` forces the path, comma-separated (`*`: all)' }),
  MNEME_ROUTING_STEP_DOWN_TENANTS: commaList().default(['*']).register(variableDocs, {
    meaning: 'tenants whose deep requests may step down to medium when deep is full (`*`: all)',
  }),
};

export const telemetry = {
  OTEL_SERVICE_NAME: z
    .string()
    .min(1)
    .default('mneme')
    .register(variableDocs, { meaning: 'service name on exported spans' }),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional().register(variableDocs, {
    meaning:
      'export traces and metrics over OTLP/HTTP, to `<endpoint>/v1/traces` and `<endpoint>/v1/metrics`',
  }),
  OTEL_METRIC_EXPORT_INTERVAL: int(100, 3_600_000).default(15_000).register(variableDocs, {
    meaning: 'ms between OTLP metric pushes (with `OTEL_EXPORTER_OTLP_ENDPOINT`)',
  }),
  MNEME_TELEMETRY: boolFlag.default(true).register(variableDocs, {
    meaning:
      '`false` starts no OpenTelemetry SDK at all: no spans recorded, no SLOs, no `/metrics` (what ' +
      '`bench:telemetry` compares against)',
  }),
  MNEME_METRICS: boolFlag
    .default(true)
    .register(variableDocs, { meaning: 'serve Prometheus text at `GET /metrics`' }),
  MNEME_SLO_TARGETS: sloTargetsSchema.optional().register(variableDocs, {
    meaning:
      'P95 targets over the defaults, `stage=ms,…` (e.g. `memory.semantic=150,ask.fast=400`); an unknown stage ' +
      'stops the server',
    default: 'the targets below',
    details:
      `Default targets, in ms (ms per second of audio where marked ms/s): ${defaultTargetsText()}. ` +
      `Stages without a default target: ${untargetedStages().join(', ')}.`,
  }),
  MNEME_SLO_WINDOW_SECONDS: int(10, 86_400)
    .default(300)
    .register(variableDocs, { meaning: 'the sliding window stage figures cover' }),
  MNEME_SLO_MIN_SAMPLES: int(1, 1_000_000)
    .default(20)
    .register(variableDocs, { meaning: 'samples a stage needs in the window before it can breach or alert' }),
  MNEME_SLO_ALERT_FACTOR: z.coerce
    .number()
    .min(1)
    .max(100)
    .default(2)
    .register(variableDocs, { meaning: 'alert when a stage p95 is over this many times its target' }),
  MNEME_SLO_ALERT_ERROR_RATE: z.coerce.number().min(0).max(1).default(0.05).register(variableDocs, {
    meaning: 'alert when a stage fails more than this share of its calls in the window',
  }),
  MNEME_SLO_ALERT_QUEUE_DEPTH: int(1, 1_000_000).optional().register(variableDocs, {
    meaning: 'alert when this many generations wait for an engine slot',
    default: '`MNEME_LLM_QUEUE_LIMIT`',
  }),
  MNEME_SLO_CHECK_MS: int(100, 3_600_000)
    .default(5000)
    .register(variableDocs, { meaning: 'how often breaches and alerts are evaluated' }),
  MNEME_SLO_SHED_FAST: shedStagesSchema
    .default(['memory.semantic', 'memory.episodic'])
    .register(variableDocs, {
      meaning:
        `stages the fast path skips while they breach, any of ${SHEDDABLE_STAGES.join(', ')}; a lone \`,\` ` +
        'never skips (an empty value counts as unset)',
    }),
};
