import { ErrorCode } from './error-codes.js';
import { MnemeError } from './mneme-error.js';

/** Abort reasons are MnemeErrors, so whatever aborted a call also says how to report it. */
export function cancelledError(why = 'the client closed the connection'): MnemeError {
  return new MnemeError(ErrorCode.CANCELLED, `Request cancelled: ${why}.`);
}

export function deadlineError(ms: number): MnemeError {
  return new MnemeError(
    ErrorCode.DEADLINE_EXCEEDED,
    `The request did not finish within its ${ms} ms deadline; ask for fewer tokens or raise MNEME_REQUEST_TIMEOUT_MS.`,
  );
}

export function shuttingDownError(): MnemeError {
  return new MnemeError(
    ErrorCode.SHUTTING_DOWN,
    'The server is shutting down; retry against another instance.',
    {
      retryAfterSeconds: 5,
    },
  );
}

/** The error to report for an aborted signal. */
export function abortError(signal: AbortSignal): MnemeError {
  const reason: unknown = signal.reason;
  return reason instanceof MnemeError ? reason : cancelledError();
}

/** A signal that aborts with DEADLINE_EXCEEDED after `ms`; the timer does not keep the process alive. */
export function deadlineSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(deadlineError(ms)), ms).unref();
  return controller.signal;
}
