import { ErrorCode } from '../../../common/error-codes.js';
import { firstVersion } from '../semantic/graph-store.js';
import { factLine, parseLine } from './archive-format.js';

describe('archive lines', () => {
  const fact = factLine({
    id: 'f1',
    ...firstVersion('f1'),
    tenant: 'alice',
    subjectId: 'a',
    predicate: 'lives_in',
    objectId: 'b',
    validFrom: 1,
    validTo: null,
    createdAt: 2,
    expiredAt: null,
    confidence: 1,
    episodes: [],
  });

  it('writes records without their tenant and reads them back as they were', () => {
    expect(fact).not.toHaveProperty('tenant');
    expect(parseLine(JSON.stringify(fact), 7)).toEqual(fact);
  });

  it('names the line and the field a bad record breaks', () => {
    const bad = (raw: string) => {
      try {
        parseLine(raw, 12);
      } catch (error) {
        return error as { code: string; message: string };
      }
      throw new Error('parsed');
    };
    expect(bad('{"kind":"fact"')).toMatchObject({
      code: ErrorCode.BAD_REQUEST,
      message: 'archive line 12: not JSON',
    });
    expect(bad(JSON.stringify({ ...fact, confidence: 2 })).message).toMatch(/^archive line 12: confidence: /);
    expect(bad(JSON.stringify({ kind: 'secret' })).message).toMatch(/^archive line 12: kind: /);
    expect(bad(JSON.stringify({ ...fact, tenant: 'bob', subjectId: '' })).message).toMatch(/subjectId/);
  });
});
