import { ValidationError } from '../errors/index.js';

export class VerificationRangeError extends ValidationError {
  constructor(message: string) {
    super(message, [{ field: 'to', message }]);
  }
}
