import { commaList, splitCommaList } from './comma-list.js';

describe('splitCommaList', () => {
  it('trims each item and drops the blank ones', () => {
    expect(splitCommaList(' a, ,b ,, c d ,')).toEqual(['a', 'b', 'c d']);
  });

  it('keeps duplicates and case: what a list means is up to its variable', () => {
    expect(splitCommaList('x,X,x')).toEqual(['x', 'X', 'x']);
  });

  it('reads a lone comma as an empty list', () => {
    expect(splitCommaList(',')).toEqual([]);
  });
});

describe('commaList', () => {
  it('parses a string into its items', () => {
    expect(commaList().parse(' one ,two')).toEqual(['one', 'two']);
  });

  it('refuses what is not a string', () => {
    expect(commaList().safeParse(['a']).success).toBe(false);
  });

  it('hands the items to a chained transform, whose issues fail the parse', () => {
    const short = commaList().transform((items, ctx) => {
      for (const item of items)
        if (item.length > 3) ctx.addIssue({ code: 'custom', message: `"${item}" is long` });
      return items.length;
    });
    expect(short.parse('ab, cd')).toBe(2);
    const result = short.safeParse('ab,abcd');
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['"abcd" is long']);
  });
});
