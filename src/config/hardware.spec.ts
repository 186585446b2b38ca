import { TIER_DEFAULTS, tierOf } from './hardware.js';

const GiB = 1024 ** 3;
const machine = (gib: number) => ({ cores: 2, memoryBytes: gib * GiB, freeMemoryBytes: gib * GiB });

describe('tierOf', () => {
  it.each([
    [4, 'low'],
    [7.9, 'low'],
    [8, 'mid'],
    [24, 'mid'],
    [32, 'high'],
    [256, 'high'],
  ])('puts a machine with %d GiB in the %s tier', (gib, tier) => {
    expect(tierOf(machine(gib))).toBe(tier);
  });

  it('gives bigger tiers more parallel sequences, longer contexts and a larger share of memory', () => {
    const { low, mid, high } = TIER_DEFAULTS;
    expect(low.parallel).toBeLessThan(mid.parallel);
    expect(mid.parallel).toBeLessThan(high.parallel);
    expect(low.contextSize).toBeLessThan(mid.contextSize);
    expect(mid.contextSize).toBeLessThan(high.contextSize);
    expect(low.budgetShare).toBeLessThan(high.budgetShare);
  });
});
