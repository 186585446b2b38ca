import { Extensions } from '@nestjs/graphql';
import {
  getComplexity,
  fieldExtensionsEstimator,
  simpleEstimator,
  type ComplexityEstimator,
  type ComplexityEstimatorArgs,
} from 'graphql-query-complexity';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';

// What one unit buys: every field costs 1; list fields pay per item; the work behind a field is priced apart.
export const COST = {
  generation: 200, // one LLM generation (a sample)
  perception: 50, // decoding and encoding one image or audio file
  search: 20, // one memory tier searched
  write: 10, // one memory write
} as const;

type Args = Record<string, unknown>;
type Estimate = (args: Args, child: number) => number;

export interface CostOptions {
  /** How often one request may select the field (aliases count). */
  perRequest?: number;
  /** The images and audio clips the field's arguments carry (counted across the whole request). */
  media?: (args: Args) => MediaCount;
}

export interface MediaCount {
  images: number;
  audio: number;
}

/**
 * Prices a field for the query cost analysis and, optionally, caps how often one request may select it and
 * counts the media it carries: `@Cost(estimate, { perRequest: 1, media })` on a resolver method.
 */
export function Cost(estimate: Estimate | number, options: CostOptions = {}): MethodDecorator {
  const complexity =
    typeof estimate === 'number'
      ? estimate
      : ({ args, childComplexity }: ComplexityEstimatorArgs) => estimate(args, childComplexity);
  const { perRequest, media } = options;
  return Extensions({ complexity, ...(perRequest ? { perRequest } : {}), ...(media ? { media } : {}) });
}

const list = (value: unknown) => (Array.isArray(value) ? value.length : 0);
const present = (value: unknown) => (value === undefined || value === null ? 0 : 1);

export const oneImage = (): MediaCount => ({ images: 1, audio: 0 });
export const oneClip = (): MediaCount => ({ images: 0, audio: 1 });
export const imageList = (args: Args): MediaCount => ({ images: list(args.images), audio: 0 });

/** Media on an ask's input. */
export const askMedia = (args: Args): MediaCount => {
  const input = (args.input ?? {}) as { images?: unknown; audio?: unknown };
  return { images: list(input.images), audio: present(input.audio) };
};

/** A page of `first` items, each costing what its selection costs. */
export const perItem =
  (base = 1): Estimate =>
  (args, child) =>
    base + count(args.first, 1) * child;

// Pages are validated to at most this many items; the price assumes no more, so an out-of-range `first` is
// answered by validation ("first must be at most 100"), which says what to fix, not by the cost check.
const MAX_PAGE = 100;

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
    ? Math.min(value, MAX_PAGE)
    : fallback;
}

/** A batch of writes (`inputs`): each a write, and the selection of what it returns. */
export const perInput: Estimate = (args, child) => Math.max(1, list(args.inputs)) * (COST.write + child);

/** The cost of an ask: its samples, its media and one search per memory tier (all three, at most). */
export const askCost: Estimate = (args, child) => {
  const { images, audio } = askMedia(args);
  const samples = count((args.input as { samples?: unknown } | undefined)?.samples, 1);
  return (
    COST.generation * samples + COST.perception * (images + audio) + 3 * COST.search + COST.write + child
  );
};

export const recallMedia = (args: Args): MediaCount => ({
  images: present(args.image),
  audio: present(args.audio),
});

export const recallCost: Estimate = (args, child) => {
  const tiers = Array.isArray(args.tiers) ? args.tiers.length : 2;
  const { images, audio } = recallMedia(args);
  return COST.search * tiers + COST.perception * (images + audio) + count(args.first, 10) * tiers * child;
};

export interface CostLimits {
  /** Cost units one operation may spend. */
  maxCost: number;
  /** Images one request may carry, across all its fields. */
  imagesPerRequest: number;
  /** Audio clips one request may carry, across all its fields. */
  audioPerRequest: number;
}

/**
 * Refuses, before anything runs, an operation that costs more than the budget or selects a capped root field
 * more often than allowed. `variables` are the request's: costs that depend on arguments read them.
 */
export function assertAffordable(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  limits: CostLimits,
): void {
  assertRootCaps(schema, document, operationName);
  const measure = (estimators: ComplexityEstimator[]) =>
    getComplexity({ schema, query: document, variables: variables ?? {}, operationName, estimators });
  assertMedia(
    'images',
    measure([mediaEstimator('images')]),
    limits.imagesPerRequest,
    'MNEME_IMAGES_PER_REQUEST',
  );
  assertMedia(
    'audio clips',
    measure([mediaEstimator('audio')]),
    limits.audioPerRequest,
    'MNEME_AUDIO_PER_REQUEST',
  );
  const cost = measure([fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })]);
  if (cost > limits.maxCost) {
    throw new MnemeError(
      ErrorCode.QUERY_TOO_COMPLEX,
      `This operation would cost ${cost} units; the limit is ${limits.maxCost} (MNEME_GRAPHQL_MAX_COST). ` +
        'Ask for fewer items or fewer aliases, or split it into several requests.',
      { details: { cost, limit: limits.maxCost } },
    );
  }
}

/** Counts media with the cost machinery (it resolves arguments from variables, fragments included). */
function mediaEstimator(kind: keyof MediaCount): ComplexityEstimator {
  return ({ field, args, childComplexity }) => {
    const media = field.extensions.media as ((args: Args) => MediaCount) | undefined;
    return (media ? media(args)[kind] : 0) + childComplexity;
  };
}

function assertMedia(what: string, count: number, limit: number, variable: string): void {
  if (count <= limit) return;
  throw new MnemeError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `This request carries ${count} ${what}; at most ${limit} are allowed per request (${variable}). ` +
      'Send them in several requests.',
    { details: { count, limit } },
  );
}

function assertRootCaps(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
): void {
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  // Without a name every operation is checked: the one that runs cannot dodge its cap.
  for (const operation of operationsOf(document, operationName)) {
    const fields = schema.getRootType(operation.operation)?.getFields() ?? {};
    const keys = new Map<string, Set<string>>();
    collectRootKeys(operation.selectionSet, fragments, keys, new Set());
    for (const [name, responseKeys] of keys) {
      const times = responseKeys.size;
      const cap = fields[name]?.extensions.perRequest;
      if (typeof cap === 'number' && times > cap) {
        throw new MnemeError(
          ErrorCode.QUERY_TOO_COMPLEX,
          `${name} may appear at most ${cap} time${cap === 1 ? '' : 's'} in one request (aliases count); it ` +
            `appears ${times} times. Send one request per ${name}.`,
          { details: { field: name, count: times, limit: cap } },
        );
      }
    }
  }
}

function operationsOf(document: DocumentNode, name: string | undefined): OperationDefinitionNode[] {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return name ? operations.filter((o) => o.name?.value === name) : operations;
}

/** Root field name → its response keys: one execution per key (selections under one key are merged). */
function collectRootKeys(
  selections: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  keys: Map<string, Set<string>>,
  visiting: Set<string>,
): void {
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      let set = keys.get(name);
      if (!set) keys.set(name, (set = new Set()));
      set.add(selection.alias?.value ?? name);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectRootKeys(selection.selectionSet, fragments, keys, visiting);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || visiting.has(name)) continue;
      visiting.add(name);
      collectRootKeys(fragment.selectionSet, fragments, keys, visiting);
      visiting.delete(name);
    }
  }
}
