import { ErrorCode } from '../../../common/error-codes.js';
import { MnemeError, isMnemeError } from '../../../common/mneme-error.js';

/** What a LanceDB failure tells the caller: the tier cannot answer now, nothing written is lost. */
export function unavailable(reason: string, cause: unknown): MnemeError {
  return new MnemeError(
    ErrorCode.STORE_UNAVAILABLE,
    `Episodic memory (LanceDB) cannot answer now: ${reason.split('\n')[0]}. Memory already written is kept; retry shortly.`,
    { retryAfterSeconds: 2, details: { tier: 'episodic' }, cause },
  );
}

/** Storage failures become STORE_UNAVAILABLE with the reason; our own errors pass through. */
export async function guardStorage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (isMnemeError(error)) throw error;
    throw unavailable(error instanceof Error ? error.message : String(error), error);
  }
}
