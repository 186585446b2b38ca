import { ErrorCode } from '../../common/error-codes.js';
import { DEFAULT_PATHS } from '../../config/routing.config.js';
import { assertImageCount, assertPromptSize, tokensFor } from './request-limits.js';

describe('request limits shared by GraphQL and REST', () => {
  it('refuses a prompt no context of that size could hold, before it is tokenized', () => {
    expect(() => assertPromptSize(512 * 16, 512)).not.toThrow();
    expect(() => assertPromptSize(512 * 16 + 1, 512)).toThrow(
      expect.objectContaining({
        code: ErrorCode.CONTEXT_OVERFLOW,
        details: { characters: 8193, maxCharacters: 8192, contextSize: 512 },
      }),
    );
  });

  it('counts images against the per-request cap', () => {
    expect(() => assertImageCount(8, 8)).not.toThrow();
    expect(() => assertImageCount(9, 8)).toThrow(
      expect.objectContaining({ code: ErrorCode.PAYLOAD_TOO_LARGE }),
    );
  });

  it('caps a requested token budget at the path’s maximum, and defaults to it', () => {
    const fast = DEFAULT_PATHS.fast;
    expect(tokensFor(undefined, fast)).toBe(fast.maxTokens);
    expect(tokensFor(16, fast)).toBe(16);
    expect(tokensFor(1e12, fast)).toBe(fast.maxTokens);
  });
});
