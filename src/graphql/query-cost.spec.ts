import {
  GraphQLInt,
  GraphQLList,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type GraphQLFieldConfig,
} from 'graphql';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import { assertAffordable, COST, imageList, perItem } from './query-cost.js';

// A schema shaped like Mneme's, with the extensions @Cost() writes.
const Item = new GraphQLObjectType({ name: 'Item', fields: { id: { type: GraphQLString } } });
const field = (extensions: Record<string, unknown>, args = {}): GraphQLFieldConfig<unknown, unknown> => ({
  type: new GraphQLList(Item),
  args,
  extensions,
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: field(
        { complexity: ({ args, childComplexity }: any) => perItem(COST.search)(args, childComplexity) },
        { first: { type: GraphQLInt } },
      ),
      search: field({ complexity: COST.search, perRequest: 2 }),
      images: field(
        { complexity: COST.perception, media: imageList },
        { images: { type: new GraphQLList(GraphQLString) } },
      ),
      me: { type: GraphQLString },
    },
  }),
});
const limits = { maxCost: 1000, imagesPerRequest: 3, audioPerRequest: 1 };

function refusal(query: string, variables?: Record<string, unknown>): MnemeError | undefined {
  try {
    assertAffordable(schema, parse(query), variables, undefined, limits);
    return undefined;
  } catch (error) {
    if (error instanceof MnemeError) return error;
    throw error;
  }
}

describe('assertAffordable', () => {
  it('passes an operation within budget', () => {
    expect(refusal('{ me items(first: 10) { id } search { id } }')).toBeUndefined();
  });

  it('prices list fields per item and refuses over budget, naming the cost and the limit', () => {
    const query = `{ ${Array.from({ length: 9 }, (_, i) => `a${i}: items(first: 100) { id }`).join(' ')} }`;
    const error = refusal(query);
    expect(error?.code).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    // Each page: 20 for the search, then 100 items of one field each.
    expect(error?.details).toEqual({ cost: 9 * (COST.search + 100), limit: 1000 });
    expect(
      refusal(`{ ${Array.from({ length: 8 }, (_, i) => `a${i}: items(first: 100) { id }`).join(' ')} }`),
    ).toBeUndefined();
  });

  it('prices an out-of-range page as the largest valid one, leaving the range error to validation', () => {
    expect(refusal('{ items(first: 1000000) { id } }')).toBeUndefined();
  });

  it('counts aliases and fragments against a field’s per-request cap, but not a repeat of one key', () => {
    expect(refusal('{ a: search { id } b: search { id } c: search { id } }')?.details).toEqual({
      field: 'search',
      count: 3,
      limit: 2,
    });
    expect(
      refusal('{ a: search { id } ...F } fragment F on Query { b: search { id } c: search { id } }')?.code,
    ).toBe(ErrorCode.QUERY_TOO_COMPLEX);
    expect(refusal('{ search { id } search { id } search { id } }')).toBeUndefined();
  });

  it('counts media across the whole request, from variables too', () => {
    const query =
      'query($a: [String], $b: [String]) { x: images(images: $a) { id } y: images(images: $b) { id } }';
    expect(refusal(query, { a: ['1', '2'], b: ['3'] })).toBeUndefined();
    const error = refusal(query, { a: ['1', '2'], b: ['3', '4'] });
    expect(error?.code).toBe(ErrorCode.PAYLOAD_TOO_LARGE);
    expect(error?.details).toEqual({ count: 4, limit: 3 });
  });
});
