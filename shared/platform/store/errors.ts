import { ValidationError } from '../errors/index.js';

/** A cursor this API did not issue for this list and query: forged, altered or foreign. */
export class InvalidCursorError extends ValidationError {
  constructor() {
    super('The cursor is not one this API issued for this list; start again without it.', [{ field: 'cursor', message: 'invalid cursor' }]);
  }
}
