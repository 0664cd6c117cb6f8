/**
 * The ports through which the core reaches the outside world. Adapters (DynamoDB, KMS,
 * local files) implement them; the composition root decides which are wired.
 */
export type { Store, StoreItem, Write, QueryInput, CountInput, QueryPage, Condition, CursorSeal } from './store.js';
export { ConditionFailedError } from './store.js';
export type { KeyService, EncryptionContext, GeneratedDataKey } from './key-service.js';
export type { AuditAnchor } from './audit-anchor.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A domain event: ids and codes only, never personal data. */
export interface DomainEvent {
  type: string;
  id: string;
  at: string;
  detail: Record<string, string | number | boolean>;
}

export interface EventPublisher {
  publish(events: DomainEvent[]): Promise<void>;
}

/** A message to a customer's contact on file (mail or SMS in AWS, an outbox file locally). */
export interface OutboundMessage {
  channel: 'email' | 'sms';
  to: string;
  subject: string;
  body: string;
}

export interface Notifier {
  send(message: OutboundMessage): Promise<void>;
}

/** A document offered through a short-lived link instead of in an HTTP answer. */
export interface Download {
  url: string;
  expiresAt: string;
  bytes: number;
}

/**
 * Holds documents too large for an HTTP answer (Lambda answers at most 6 MB) until their
 * requester fetches them: S3 with presigned links in AWS, a folder locally.
 */
export interface DownloadStore {
  offer(document: string, name: string): Promise<Download>;
}

/**
 * A stored record whose sealed data would not open (altered in the table, or its key
 * missing). Reads that can go on without it (a list) report it here and answer the rest;
 * the composition root counts it for the alarm. Ids only, never content.
 */
export interface IntegrityFailure {
  record: 'customer' | 'history' | 'interaction' | 'consent' | 'request' | 'complaint' | 'survey' | 'risk-flag';
  /** The customer the record belongs to. */
  customerId: string;
}

export type IntegrityFailureHandler = (failure: IntegrityFailure) => void;
