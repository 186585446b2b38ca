import type { PathName } from '../../config/routing.config.js';

export interface RouteRequest {
  prompt: string;
  /** Images and audio clips attached (the fusion issue). */
  media: number;
  /** Tokens the caller asked for, if any. */
  maxTokens: number | undefined;
  /** The caller's hint: it asks for a path; it forces one only for tenants allowed to. */
  hint: PathName | undefined;
  mayForce: boolean;
}

export interface RouteDecision {
  path: PathName;
  /** Why, in words a caller can read: the signals that decided it. */
  reason: string;
  scores: Record<PathName, number>;
}

interface Signal {
  name: string;
  weight: number;
}

// Reasoning cues, each with the complexity it adds. Word-bounded, case-insensitive.
const CUES: { name: string; pattern: RegExp; weight: number }[] = [
  {
    name: 'arithmetic',
    pattern:
      /\d+(\.\d+)?\s*[-+*/×÷^%]\s*\d|\b(calculate|compute|how many|how much|sum of|percent(age)?|average of|solve)\b/i,
    weight: 0.35,
  },
  {
    name: 'multi-step',
    pattern: /\b(step[- ]by[- ]step|first\b.*\bthen|plan|prove|derive|proof|algorithm|debug|optimi[sz]e)\b/i,
    weight: 0.35,
  },
  {
    name: 'comparison',
    pattern:
      /\b(compare|comparison|versus|vs\.?|difference between|pros and cons|trade-?offs?|better than)\b/i,
    weight: 0.25,
  },
  {
    name: 'explanation',
    pattern: /\b(why|explain|how does|how do|reason(s|ing)?|what causes)\b/i,
    weight: 0.2,
  },
  {
    name: 'long-form',
    pattern:
      /\b(essay|article|report|story|poem|detailed|in depth|in-depth|comprehensive|thorough|write (a|an|me)|draft)\b/i,
    weight: 0.3,
  },
];

// Each path suits a complexity; its score falls off linearly with the distance from it, so the nearest wins
// (fast below 0.175, deep from 0.575).
const CENTRES: Record<PathName, number> = { fast: 0, medium: 0.35, deep: 0.8 };
const FALL_OFF = 0.8;
const HINT_BONUS = 0.3;

/**
 * The rule router: cheap signals (length, media, reasoning cues, requested length) add up to a complexity in
 * 0..1; each path scores how well that complexity suits it. Deterministic and sub-millisecond.
 */
export function routeByRules(request: RouteRequest): RouteDecision {
  const signals = signalsOf(request);
  const complexity = Math.min(
    1,
    signals.reduce((sum, s) => sum + s.weight, 0),
  );
  const suit = (path: PathName) => round(1 - Math.abs(complexity - CENTRES[path]) / FALL_OFF);
  const scores: Record<PathName, number> = { fast: suit('fast'), medium: suit('medium'), deep: suit('deep') };
  const why = signals.length > 0 ? signals.map((s) => s.name).join(', ') : 'short, no reasoning cues';
  if (request.hint && request.mayForce) {
    return { path: request.hint, reason: `forced by hint ${request.hint} (${why})`, scores };
  }
  if (request.hint) scores[request.hint] = round(scores[request.hint] + HINT_BONUS);
  const path = (['deep', 'medium', 'fast'] as const).reduce(
    (best, p) => (scores[p] > scores[best] ? p : best),
    'fast' as PathName,
  );
  const hinted = request.hint
    ? `; hint ${request.hint}${path === request.hint ? ' taken' : ' outweighed'}`
    : '';
  return { path, reason: `${why}${hinted}`, scores };
}

/**
 * The same signals as numbers, for the learned router: word count (log-scaled), media, each reasoning cue,
 * requested length, question marks and digits.
 */
export function ruleFeatures(request: Pick<RouteRequest, 'prompt' | 'media' | 'maxTokens'>): number[] {
  const words = request.prompt.trim().split(/\s+/).length;
  const maxTokens = request.maxTokens ?? 0;
  return [
    Math.log1p(words) / 7,
    request.media > 0 ? 1 : 0,
    ...CUES.map((cue) => (cue.pattern.test(request.prompt) ? 1 : 0)),
    maxTokens > 384 ? 1 : 0,
    maxTokens > 1024 ? 1 : 0,
    Math.min(3, (request.prompt.match(/\?/g) ?? []).length) / 3,
    Math.min(10, (request.prompt.match(/\d+/g) ?? []).length) / 10,
  ];
}

function signalsOf(request: RouteRequest): Signal[] {
  const signals: Signal[] = [];
  const words = request.prompt.trim().split(/\s+/).length;
  if (words > 400) signals.push({ name: `long prompt (${words} words)`, weight: 0.45 });
  else if (words > 80) signals.push({ name: `medium-length prompt (${words} words)`, weight: 0.2 });
  if (request.media > 0) signals.push({ name: `${request.media} media input(s)`, weight: 0.25 });
  for (const cue of CUES)
    if (cue.pattern.test(request.prompt)) signals.push({ name: cue.name, weight: cue.weight });
  if (request.maxTokens !== undefined && request.maxTokens > 1024) {
    signals.push({ name: `long answer requested (${request.maxTokens} tokens)`, weight: 0.4 });
  } else if (request.maxTokens !== undefined && request.maxTokens > 384) {
    signals.push({ name: `longer answer requested (${request.maxTokens} tokens)`, weight: 0.15 });
  }
  return signals;
}

function round(x: number): number {
  return Math.round(Math.max(0, Math.min(1.5, x)) * 1000) / 1000;
}
