import { LOCAL_TENANT } from '../common/call-context.js';
import { ErrorCode } from '../common/error-codes.js';
import { MnemeError } from '../common/mneme-error.js';
import { ApiKeyAuth } from './api-key-auth.js';

function unauthenticated(auth: ApiKeyAuth, header: string | undefined): MnemeError {
  try {
    auth.tenantFor(header);
  } catch (error) {
    if (error instanceof MnemeError) return error;
    throw error;
  }
  throw new Error(`expected ${String(header)} to be refused`);
}

describe('ApiKeyAuth', () => {
  const auth = new ApiKeyAuth(
    new Map([
      ['alice-key-123', 'alice'],
      ['bob-key-45678', 'bob'],
    ]),
  );

  it('is open with no keys and maps every caller to the local tenant', () => {
    const open = new ApiKeyAuth(new Map());
    expect(open.open).toBe(true);
    expect(open.tenantFor(undefined)).toBe(LOCAL_TENANT);
    expect(open.tenantFor('Bearer anything')).toBe('local');
  });

  it('is not open with keys configured', () => {
    expect(auth.open).toBe(false);
  });

  it('maps each key to its tenant', () => {
    expect(auth.tenantFor('Bearer alice-key-123')).toBe('alice');
    expect(auth.tenantFor('Bearer bob-key-45678')).toBe('bob');
  });

  it('accepts the scheme in any case and surrounding whitespace', () => {
    expect(auth.tenantFor('bearer alice-key-123')).toBe('alice');
    expect(auth.tenantFor('BEARER   bob-key-45678  ')).toBe('bob');
  });

  it('refuses a missing header', () => {
    for (const header of [undefined, '']) {
      const error = unauthenticated(auth, header);
      expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(error.message).toMatch(/^Missing API key/);
    }
  });

  it.each(['alice-key-123', 'Basic alice-key-123', 'Bearer', 'Bearer ', 'Bearer two words'])(
    'refuses the malformed header %p',
    (header) => {
      const error = unauthenticated(auth, header);
      expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(error.message).toMatch(/^Malformed Authorization header/);
    },
  );

  it.each(['Bearer wrong-key-000', 'Bearer alice-key-12', 'Bearer alice-key-1234', 'Bearer ALICE-KEY-123'])(
    'refuses the unknown key in %p',
    (header) => {
      const error = unauthenticated(auth, header);
      expect(error.code).toBe(ErrorCode.UNAUTHENTICATED);
      expect(error.message).toBe('Invalid API key.');
      expect(error.httpStatus).toBe(401);
    },
  );
});
