import { ConflictError, GoneError, NotFoundError, UnprocessableError } from '../../platform/errors/index.js';

export class CustomerNotFoundError extends NotFoundError {
  constructor() {
    super('No customer has this id.', 'id');
  }
}

/** Another record already holds this (normalized) email or phone. The value is not echoed. */
export class DuplicateContactError extends ConflictError {
  constructor(field: string) {
    super(`Another customer already has this ${field.startsWith('emails') ? 'email' : 'phone'}.`, field);
  }
}

export class IdempotencyKeyReusedError extends UnprocessableError {
  constructor() {
    super('This Idempotency-Key was already used with a different request body.', 'Idempotency-Key');
  }
}

/** A repeated create whose customer has since been erased: the first result no longer exists. */
export class CreatedCustomerErasedError extends GoneError {
  constructor() {
    super('The customer this Idempotency-Key created has since been erased; nothing was created. Use a new key to create a record again.', 'Idempotency-Key');
  }
}
