import { windowByTokens } from './token-window.js';
import type { Turn, TurnRole } from './working-memory.store.js';

const turn = (seq: number, role: TurnRole, tokens: number): Turn => ({
  id: `t${seq}`,
  seq,
  role,
  text: `turn ${seq}`,
  tokens,
  createdAt: 1000 + seq,
});

const conversation = [
  turn(1, 'user', 10),
  turn(2, 'assistant', 20),
  turn(3, 'user', 5),
  turn(4, 'assistant', 15),
];

describe('windowByTokens', () => {
  it('keeps everything when the budget allows', () => {
    expect(windowByTokens(conversation, 50).map((t) => t.seq)).toEqual([1, 2, 3, 4]);
  });

  it('keeps exactly the budget (the limit is inclusive)', () => {
    expect(windowByTokens(conversation, 20).map((t) => t.seq)).toEqual([3, 4]);
  });

  it('keeps a contiguous tail: stops at the first turn that does not fit', () => {
    // 4 (15) + 3 (5) = 20; 2 (20) would make 40 > 39, so 1 (10) is not considered even though it would fit.
    expect(windowByTokens(conversation, 39).map((t) => t.seq)).toEqual([3, 4]);
  });

  it('drops an assistant turn whose question fell outside the window', () => {
    // 4 + 3 + 2 = 40 fits 45, but 2 is the reply to 1, which does not fit: 2 is dropped too.
    expect(windowByTokens(conversation, 45).map((t) => t.seq)).toEqual([3, 4]);
  });

  it('returns nothing when even the newest turn is over budget', () => {
    expect(windowByTokens(conversation, 14)).toEqual([]);
  });

  it('returns nothing for an empty conversation', () => {
    expect(windowByTokens([], 100)).toEqual([]);
  });

  it('drops even the newest turn when it is a reply whose question does not fit', () => {
    expect(windowByTokens(conversation, 15)).toEqual([]);
  });

  it('only drops a reply when its question was cut, not a conversation that starts with a reply', () => {
    expect(windowByTokens(conversation.slice(0, 3), 25).map((t) => t.seq)).toEqual([3]);
    expect(windowByTokens([turn(1, 'assistant', 5), turn(2, 'user', 5)], 10).map((t) => t.seq)).toEqual([
      1, 2,
    ]);
  });

  it('charges each turn the per-message template overhead', () => {
    // 15 + 5 + 2 × 3 = 26 fits 26; with 3 more turns' overhead the older pair does not.
    expect(windowByTokens(conversation, 26, 3).map((t) => t.seq)).toEqual([3, 4]);
    expect(windowByTokens(conversation, 25, 3).map((t) => t.seq)).toEqual([]);
  });

  describe('sliding in blocks', () => {
    // Twenty turns of 10 tokens; a budget of 60 holds six.
    const long = Array.from({ length: 20 }, (_, i) => turn(i + 1, i % 2 === 0 ? 'user' : 'assistant', 10));
    const startAfter = (n: number, slide: number) => windowByTokens(long.slice(0, n), 60, 0, slide)[0]?.seq;

    it('keeps the whole conversation while it fits, whatever the block', () => {
      expect(windowByTokens(long.slice(0, 6), 60, 0, 4).map((t) => t.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('starts on a block boundary once turns are dropped, so the start holds for several turns', () => {
      // Turn by turn the start moves with every exchange; in blocks of 4 it stays on 5, then on 9.
      expect([7, 8, 9, 10, 11, 12].map((n) => startAfter(n, 1))).toEqual([3, 3, 5, 5, 7, 7]);
      expect([7, 8, 9, 10, 11, 12, 13, 14].map((n) => startAfter(n, 4))).toEqual([5, 5, 5, 5, 9, 9, 9, 9]);
      expect(windowByTokens(long.slice(0, 14), 60, 0, 4).map((t) => t.seq)).toEqual([9, 10, 11, 12, 13, 14]);
    });

    it('falls back to the plain tail when no boundary is inside it', () => {
      expect(windowByTokens(long.slice(0, 9), 25, 0, 8).map((t) => t.seq)).toEqual([9]);
    });
  });
});
