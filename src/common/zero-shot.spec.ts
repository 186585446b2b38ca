import { standingAmongLabels } from './zero-shot.js';

describe('standingAmongLabels', () => {
  it('is the share of labels the text is closer to the medium than, ties counting half', () => {
    expect(standingAmongLabels(0.3, [0.1, 0.2, 0.4, 0.5])).toBe(0.5);
    expect(standingAmongLabels(0.9, [0.1, 0.2, 0.4, 0.5])).toBe(1);
    expect(standingAmongLabels(0.0, [0.1, 0.2, 0.4, 0.5])).toBe(0);
    expect(standingAmongLabels(0.2, [0.1, 0.2, 0.4, 0.5])).toBe(0.375);
  });

  it('has no standing without labels', () => {
    expect(standingAmongLabels(0.5, [])).toBeUndefined();
  });
});
