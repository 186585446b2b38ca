import { z } from 'zod';
import type { Env } from './env.schema.js';

export type PathName = 'fast' | 'medium' | 'deep';
export const PATHS: readonly PathName[] = ['fast', 'medium', 'deep'];

const pathSchema = z
  .object({
    /** Served model name, or "default". */
    model: z.string().min(1).max(128),
    /** Tokens of context the path may fill (capped by the model's own context). */
    contextSize: z.number().int().min(256).max(1_048_576),
    maxTokens: z.number().int().min(1).max(131_072),
    temperature: z.number().min(0).max(2),
    /** Which memory tiers are recalled into the prompt, and how many episodes. */
    memoryTiers: z.array(z.enum(['working', 'episodic', 'semantic'])),
    recallItems: z.number().int().min(0).max(100),
    /** Semantic recall: also facts of entities this many hops from the ones the request names (0–3). */
    neighborhoodHops: z.number().int().min(0).max(3),
    /** Background knowledge extraction after answering (the semantic-memory issue). */
    extraction: z.boolean(),
    /** Re-run an answer that looks unsure (empty, cut off, hedging) on the medium path. */
    escalate: z.boolean(),
    /**
     * Where the model scores its tokens: also escalate when the answer's mean token entropy (nats) is above this.
     * Calibrate it per model (`npm run calibrate:entropy`); unset, the self-check alone decides.
     */
    escalateEntropy: z.number().min(0).max(20).optional(),
    /** Answers sampled and voted on (self-consistency); 1 = a single answer. */
    samples: z.number().int().min(1).max(16),
    /**
     * Served models the samples are spread over (in turn), one generation per model at a time, the models side
     * by side: the vote covers them all. Unset: every sample on the path's model.
     */
    ensemble: z.array(z.string().min(1).max(128)).min(1).max(8).optional(),
    /** P95 latency target for the server's overhead plus the model; admission refuses longer expected waits. */
    targetMs: z.number().int().min(1).max(3_600_000),
    /** Requests of this path generated at once, and waiting at most. */
    concurrency: z.number().int().min(1).max(1024),
    queue: z.number().int().min(0).max(100_000),
  })
  .strict();

export type PathProfile = z.infer<typeof pathSchema>;

export const DEFAULT_PATHS: Record<PathName, PathProfile> = {
  fast: {
    model: 'default',
    contextSize: 2048,
    maxTokens: 256,
    temperature: 0.3,
    memoryTiers: ['working', 'episodic', 'semantic'],
    recallItems: 3,
    neighborhoodHops: 0,
    extraction: false,
    escalate: true,
    samples: 1,
    targetMs: 500,
    concurrency: 2,
    queue: 8,
  },
  medium: {
    model: 'default',
    contextSize: 8192,
    maxTokens: 512,
    temperature: 0.5,
    memoryTiers: ['working', 'episodic', 'semantic'],
    recallItems: 5,
    neighborhoodHops: 1,
    extraction: true,
    escalate: false,
    samples: 1,
    targetMs: 2000,
    concurrency: 2,
    queue: 16,
  },
  deep: {
    model: 'default',
    contextSize: 32_768,
    maxTokens: 1024,
    temperature: 0.7,
    memoryTiers: ['working', 'episodic', 'semantic'],
    recallItems: 10,
    neighborhoodHops: 2,
    extraction: true,
    escalate: false,
    samples: 1,
    targetMs: 10_000,
    concurrency: 1,
    queue: 8,
  },
};

/** `MNEME_ROUTING_PATHS`: JSON overriding any field of any path, e.g. {"fast":{"concurrency":1}}. */
export const routingPathsSchema = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"fast":{"concurrency":1}}' });
      return z.NEVER;
    }
  })
  .pipe(
    z
      .object({ fast: pathSchema.partial(), medium: pathSchema.partial(), deep: pathSchema.partial() })
      .partial()
      .strict(),
  );

/** The fields a path has, for the docs: what MNEME_ROUTING_PATHS may override. */
export const PATH_FIELDS: readonly string[] = Object.keys(pathSchema.shape);

/** Each path's defaults in short, for the docs: `fast: contextSize 2048, maxTokens 256, …`. */
export function defaultPathsText(): string {
  const shown = ['contextSize', 'maxTokens', 'targetMs', 'concurrency', 'queue'] as const;
  return PATHS.map(
    (name) => `${name}: ${shown.map((f) => `${f} ${DEFAULT_PATHS[name][f]}`).join(', ')}`,
  ).join('; ');
}

export interface RoutingConfig {
  paths: Record<PathName, PathProfile>;
  /** Tenants whose `hint` forces the path instead of asking for it. */
  forceTenants: readonly string[];
  /** Tenants whose deep requests may step down to medium under pressure. */
  stepDownTenants: readonly string[];
  /** A trained router (`npm run router:train`); undefined: `<models dir>/router.json` when present. */
  learnedModel: string | undefined;
  /** Below this probability the learned router defers to the rules. */
  minConfidence: number;
}

export function routingConfigFrom(
  e: Pick<
    Env,
    | 'MNEME_ROUTING_PATHS'
    | 'MNEME_ROUTING_FORCE_TENANTS'
    | 'MNEME_ROUTING_STEP_DOWN_TENANTS'
    | 'MNEME_ROUTER_MODEL'
    | 'MNEME_ROUTER_MIN_CONFIDENCE'
  >,
): RoutingConfig {
  const paths = {} as Record<PathName, PathProfile>;
  for (const name of PATHS) paths[name] = { ...DEFAULT_PATHS[name], ...e.MNEME_ROUTING_PATHS?.[name] };
  return {
    paths,
    forceTenants: e.MNEME_ROUTING_FORCE_TENANTS ?? [],
    stepDownTenants: e.MNEME_ROUTING_STEP_DOWN_TENANTS,
    learnedModel: e.MNEME_ROUTER_MODEL,
    minConfidence: e.MNEME_ROUTER_MIN_CONFIDENCE,
  };
}

export function tenantListed(list: readonly string[], tenant: string): boolean {
  return list.includes('*') || list.includes(tenant);
}
