import { ErrorCode } from '../../common/error-codes.js';
import { MnemeError } from '../../common/mneme-error.js';
import type { PathProfile } from '../../config/routing.config.js';

// No tokenizer packs more than this many characters into a token on ordinary text; a prompt longer than
// context × this cannot fit, and is refused before the tokenizer spends time on it.
const CHARS_PER_TOKEN_CEILING = 16;

/** The same bounds for GraphQL asks and OpenAI chats: checked before any tokenizing, routing or decoding. */
export function assertPromptSize(chars: number, contextSize: number): void {
  const limit = contextSize * CHARS_PER_TOKEN_CEILING;
  if (chars <= limit) return;
  throw new MnemeError(
    ErrorCode.CONTEXT_OVERFLOW,
    `The prompt is ${chars} characters; a ${contextSize}-token context cannot hold more than about ${limit}. ` +
      'Shorten the prompt or raise MNEME_LLM_CONTEXT_SIZE.',
    { details: { characters: chars, maxCharacters: limit, contextSize } },
  );
}

export function assertImageCount(images: number, limit: number): void {
  if (images <= limit) return;
  throw new MnemeError(
    ErrorCode.PAYLOAD_TOO_LARGE,
    `This request carries ${images} images; at most ${limit} are allowed per request (MNEME_IMAGES_PER_REQUEST), ` +
      'counted across all messages. Send them in several requests.',
    { details: { count: images, limit } },
  );
}

/** A requested token budget, capped by the path it was routed to (which holds its slot that long at most). */
export function tokensFor(requested: number | undefined, profile: PathProfile): number {
  return Math.min(requested ?? profile.maxTokens, profile.maxTokens);
}
