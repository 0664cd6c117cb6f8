import { ConflictError, NotFoundError } from '../../platform/errors/index.js';

export class PurposeNotFoundError extends NotFoundError {
  constructor() {
    super('No purpose has this id; define it with PUT /v1/purposes/{purposeId}.', 'purposeId');
  }
}

export class OutdatedNoticeError extends ConflictError {
  constructor(current: string) {
    super(`Consent must be given to the current privacy notice (${current}); show it to the customer first.`, 'noticeVersion');
  }
}
