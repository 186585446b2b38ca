import { ErrorCode, httpStatusOf } from './error-codes.js';

describe('httpStatusOf', () => {
  it.each(Object.values(ErrorCode))('maps %s to a 4xx or 5xx status', (code) => {
    const status = httpStatusOf(code);
    expect(Number.isInteger(status)).toBe(true);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(600);
  });

  it.each([
    [ErrorCode.BAD_REQUEST, 400],
    [ErrorCode.GRAPHQL_PARSE_FAILED, 400],
    [ErrorCode.GRAPHQL_VALIDATION_FAILED, 400],
    [ErrorCode.CONTEXT_OVERFLOW, 400],
    [ErrorCode.UNAUTHENTICATED, 401],
    [ErrorCode.FORBIDDEN, 403],
    [ErrorCode.NOT_FOUND, 404],
    [ErrorCode.MODEL_NOT_FOUND, 404],
    [ErrorCode.CONFLICT, 409],
    [ErrorCode.PAYLOAD_TOO_LARGE, 413],
    [ErrorCode.OVERLOADED, 429],
    [ErrorCode.CANCELLED, 499],
    [ErrorCode.INTERNAL, 500],
    [ErrorCode.MODEL_UNAVAILABLE, 503],
    [ErrorCode.STORE_UNAVAILABLE, 503],
    [ErrorCode.SHUTTING_DOWN, 503],
    [ErrorCode.DEADLINE_EXCEEDED, 504],
  ])('maps %s to %d', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('uses each code as its own string value', () => {
    for (const [key, value] of Object.entries(ErrorCode)) expect(value).toBe(key);
  });
});
