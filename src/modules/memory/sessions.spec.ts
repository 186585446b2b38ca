import { ErrorCode } from '../../common/error-codes.js';
import { SessionIndex, decodeSessionCursor, encodeSessionCursor, pageOf, sessionsOf } from './sessions.js';

const row = (id: string, sessionId: string, createdAt: number, role = 'user') => ({
  id,
  sessionId,
  createdAt,
  role,
});

describe('sessions', () => {
  const rows = [
    row('a1', 'a', 10),
    row('b1', 'b', 20),
    row('a2', 'a', 30, 'assistant'),
    row('as1', 'a', 25, 'summary'),
    row('as2', 'a', 28, 'summary'),
    row('c1', 'c', 20),
  ];

  it('folds episodes into sessions: first and last time, turns without summaries, the newest summary', () => {
    expect(sessionsOf(rows)).toEqual([
      { id: 'a', firstAt: 10, lastAt: 30, turns: 2, summaryId: 'as2' },
      { id: 'c', firstAt: 20, lastAt: 20, turns: 1, summaryId: null },
      { id: 'b', firstAt: 20, lastAt: 20, turns: 1, summaryId: null },
    ]);
  });

  it('pages newest first through a cursor, ties broken by id, and ends with an empty page', () => {
    const all = sessionsOf(rows);
    const first = pageOf(all, 2);
    expect(first.map((s) => s.id)).toEqual(['a', 'c']);
    const cursor = decodeSessionCursor(encodeSessionCursor(first[1]!));
    expect(pageOf(all, 2, cursor).map((s) => s.id)).toEqual(['b']);
    expect(pageOf(all, 2, decodeSessionCursor(encodeSessionCursor(all[2]!)))).toEqual([]);
  });

  it('refuses a cursor it did not make, whatever it decodes to', () => {
    for (const bad of [
      '',
      'xyz',
      Buffer.from('[1,"a"]').toString('base64url'),
      Buffer.from('["s","1","a"]').toString('base64url'),
    ]) {
      expect(() => decodeSessionCursor(bad)).toThrow(
        expect.objectContaining({ code: ErrorCode.BAD_REQUEST }),
      );
    }
  });

  it('scans a tenant once, then follows its writes; a forget by id or a write during the scan rescans', async () => {
    const index = new SessionIndex();
    let scans = 0;
    const stored = [...rows];
    const scan = () => {
      scans++;
      return Promise.resolve([...stored]);
    };
    const ids = async () => (await index.sessions('t', scan)).map((s) => [s.id, s.turns]);
    expect(await ids()).toEqual([
      ['a', 2],
      ['c', 1],
      ['b', 1],
    ]);
    const late = [row('b2', 'b', 40), row('d1', 'd', 35)];
    stored.push(...late);
    index.added('t', late);
    index.added('other', [row('x1', 'x', 99)]);
    expect(await ids()).toEqual([
      ['b', 2],
      ['d', 1],
      ['a', 2],
      ['c', 1],
    ]);
    index.sessionForgotten('t', 'a');
    expect((await ids()).map(([id]) => id)).toEqual(['b', 'd', 'c']);
    expect(scans).toBe(1);
    index.invalidate('t');
    await ids();
    expect(scans).toBe(2);
    // A write while a scan is under way: that scan's result is used once, not kept.
    index.invalidate('t');
    const racing = index.sessions('t', async () => {
      index.added('t', [row('e1', 'e', 50)]);
      return scan();
    });
    await racing;
    await ids();
    expect(scans).toBe(4);
  });
});
