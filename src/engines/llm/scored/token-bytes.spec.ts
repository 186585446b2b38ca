import { splitBytes } from './token-bytes.js';

const bytes = (text: string) => [...Buffer.from(text, 'utf8')];

describe('splitBytes', () => {
  it('gives a lone token the whole piece', () => {
    expect(splitBytes('héllo', ['héllo'])).toEqual([bytes('héllo')]);
  });

  it('gives byte tokens one byte each', () => {
    // "€" is E2 82 AC, spelled by three byte tokens that each read as U+FFFD alone.
    expect(splitBytes('€', ['\uFFFD', '\uFFFD', '\uFFFD'])).toEqual([[0xe2], [0x82], [0xac]]);
  });

  it('keeps whole characters with their token and shares out the split one', () => {
    // "aé": the first token holds "a" and é's first byte, the second token é's last byte.
    expect(splitBytes('aé', ['a\uFFFD', '\uFFFD'])).toEqual([[0x61, 0xc3], [0xa9]]);
  });

  it('falls back to each token’s own text when the run does not add up', () => {
    expect(splitBytes('', ['\uFFFD', '\uFFFD'])).toEqual([bytes('\uFFFD'), bytes('\uFFFD')]);
  });
});
