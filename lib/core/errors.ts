/**
 * The engine's one error model: every error the engine throws is a SyncError, which names itself, keeps its cause,
 * says whether trying again (from the last checkpoint) can help, and gives the one line users see for it. Both
 * drivers ask `classify` instead of keeping lists of error classes.
 */

export interface SyncErrorOptions {
  cause?: unknown;
  /** Whether a retry can help; default true (classes whose failures are final say so themselves). */
  retryable?: boolean;
}

/** Base of every error the engine throws. Subclasses set `name` and, when a retry cannot help, `retryable = false`. */
export class SyncError extends Error {
  override name = 'SyncError';
  /** Whether running the step again (it resumes from its checkpoint) can succeed where this attempt failed. */
  readonly retryable: boolean;

  constructor(message: string, options: SyncErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? true;
  }

  /** The one line a run summary and a `Snapshot Failed` event show; the message unless a subclass says it shorter. */
  get reason(): string {
    return this.message;
  }
}

/** Input (run input, options, events, settings) that does not validate; the message names each bad field. */
export class InvalidInputError extends SyncError {
  override name = 'InvalidInputError';
  override readonly retryable = false;
}

/** How a driver treats a failure: retry the step (from its checkpoint) or end the item with `reason`. */
export interface Classification {
  retryable: boolean;
  /** The error's class name (what Step Functions' Retry and Catch match). */
  name: string;
  reason: string;
}

/**
 * Classifies any thrown value. Errors from outside the engine (an SDK, DuckDB, the file system) are retryable: the
 * deployed state machine retries them, so the CLI does too.
 * @example if (!classify(error).retryable) failItem(classify(error).reason);
 */
export function classify(error: unknown): Classification {
  if (error instanceof SyncError) return { retryable: error.retryable, name: error.name, reason: error.reason };
  if (error instanceof Error) return { retryable: true, name: error.name || 'Error', reason: error.message };
  return { retryable: true, name: 'Error', reason: String(error) };
}

/** The engine broke one of its own rules (an API used out of turn, a plan missing what a step needs): a bug. */
export class InternalError extends SyncError {
  override name = 'InternalError';
  override readonly retryable = false;
}
