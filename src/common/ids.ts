import { ErrorCode } from './error-codes.js';
import { MnemeError } from './mneme-error.js';

/** Session ids are chosen by clients; record ids (episodes, entities, facts) by the server. Both are plain tokens. */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

export function idMessage(field: string): string {
  return `${field} must be 1-128 of A-Z a-z 0-9 . _ : -`;
}

/** A session id as every input that takes one checks it (asks, recall, episodes). */
export const SESSION_ID = ID_PATTERN;
export const SESSION_ID_MESSAGE = idMessage('sessionId');

/**
 * A store-level guard: an id that reaches a delete or lookup must be a real token. Inputs are validated at the
 * edge already; this keeps an empty string from ever widening a scope if a new caller forgets to.
 */
export function requireId(value: string, field: string): string {
  if (!ID_PATTERN.test(value)) throw new MnemeError(ErrorCode.BAD_REQUEST, idMessage(field));
  return value;
}
