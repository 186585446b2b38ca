const REPLACEMENT = '\uFFFD';

/**
 * The UTF-8 bytes of each of a run of tokens that together spell `piece`, from each token's text read alone
 * (where a token holds part of a character, that part reads as U+FFFD). Characters a token holds whole are its
 * own; the bytes of split characters are shared out in order among the tokens holding parts — exact for byte
 * tokens (one byte each) and for a character split between two tokens. Without a consistent split, each
 * token's own text.
 */
export function splitBytes(piece: string, texts: readonly string[]): number[][] {
  const whole = [...Buffer.from(piece, 'utf8')];
  if (texts.length === 1) return [whole];
  const own = texts.map((t) => Buffer.byteLength(t.replaceAll(REPLACEMENT, ''), 'utf8'));
  const partial = texts.map((t) => t.includes(REPLACEMENT));
  const holders = partial.filter(Boolean).length;
  const shared = whole.length - own.reduce((sum, n) => sum + n, 0);
  if (holders === 0 || shared < holders) return texts.map((t) => [...Buffer.from(t, 'utf8')]);
  let extra = shared % holders;
  let at = 0;
  return texts.map((_, i) => {
    let size = own[i]!;
    if (partial[i]) size += Math.floor(shared / holders) + (extra-- > 0 ? 1 : 0);
    const bytes = whole.slice(at, at + size);
    at += size;
    return bytes;
  });
}
