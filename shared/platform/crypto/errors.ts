/** A sealed value could not be opened: tampered, moved to another record or field, or wrong key. */
export class SealError extends Error {
  constructor(message = 'Sealed value could not be opened.') {
    super(message);
    this.name = 'SealError';
  }
}
