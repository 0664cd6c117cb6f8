/**
 * Keys whose values are personal data or secrets. Nothing should log them; this replacer
 * makes sure that if something does, the value never reaches the log.
 */
export const redactedKeys: ReadonlySet<string> = new Set([
  'name',
  'email',
  'emails',
  'phone',
  'phones',
  'address',
  'addresses',
  'personal',
  'needs',
  'body',
  'authorization',
  'cookie',
  'querystringparameters',
  'rawquerystring',
]);

export const redactPersonalData = (key: string, value: unknown): unknown =>
  redactedKeys.has(key.toLowerCase()) && value !== undefined ? '[REDACTED]' : value;

