/**
 * Domain errors. Services throw these; the HTTP layer maps each `kind` to a status and a
 * problem type. Messages and `field` names never carry personal data, only field paths.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'unprocessable'
  | 'too-many-requests'
  | 'gone'
  | 'integrity'
  | 'unavailable';

/** Extension members of a problem (RFC 9457 §3.2): codes and ids only, never personal data. */
export type ProblemExtensions = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export class KehuError extends Error {
  /** Extension members the problem answer carries besides the standard ones, e.g. `allowedActions`. */
  readonly extensions?: ProblemExtensions;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown; extensions?: ProblemExtensions },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.extensions) this.extensions = options.extensions;
  }
}

export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends KehuError {
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super('validation', message, issues[0]?.field);
  }
}

export class UnauthenticatedError extends KehuError {
  constructor(message = 'A valid bearer token is required.') {
    super('unauthenticated', message, 'Authorization');
  }
}

export class ForbiddenError extends KehuError {
  constructor(message: string, field?: string) {
    super('forbidden', message, field);
  }
}

export class NotFoundError extends KehuError {
  constructor(message: string, field?: string) {
    super('not-found', message, field);
  }
}

export class ConflictError extends KehuError {
  constructor(message: string, field?: string, extensions?: ProblemExtensions) {
    super('conflict', message, field, extensions ? { extensions } : undefined);
  }
}

export class PreconditionFailedError extends KehuError {
  constructor(message: string, field = 'If-Match') {
    super('precondition-failed', message, field);
  }
}

export class PreconditionRequiredError extends KehuError {
  constructor(message: string, field = 'If-Match') {
    super('precondition-required', message, field);
  }
}

/** A dependency (store, key service) failed; nothing was written. Safe to retry. */
export class UnavailableError extends KehuError {
  constructor(
    readonly dependency: 'store' | 'key-service' | 'event-bus' | 'notifier' | 'download-store' | 'audit-anchor',
    options?: { cause?: unknown },
  ) {
    super('unavailable', `The ${dependency} is unavailable; nothing was changed. Retry later.`, undefined, options);
  }
}

/** Well-formed but not acceptable, e.g. an idempotency key reused with another body. */
export class UnprocessableError extends KehuError {
  constructor(message: string, field?: string) {
    super('unprocessable', message, field);
  }
}

/** What the request refers to existed and is gone for good (an erased customer). */
export class GoneError extends KehuError {
  constructor(message: string, field?: string) {
    super('gone', message, field);
  }
}

/**
 * A stored record failed its integrity check: its sealed data does not open (altered in
 * the table, or its key is missing). Nothing was changed; the damage is on the server's
 * side, so it answers as a server failure of its own type, and operators are alerted.
 */
export class IntegrityError extends KehuError {
  constructor(message = 'This record failed its integrity check and cannot be read or changed; nothing was changed, and operators are alerted.', field = 'id') {
    super('integrity', message, field);
  }
}
