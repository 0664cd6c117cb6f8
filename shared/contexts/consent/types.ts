import type { DomainEvent } from '../../platform/ports/index.js';
import type { ConsentService } from './service.js';

/** Fields of a customer record a purpose may use (CR-6, CON-3). */
export const purposeFields = ['name', 'emails', 'phones', 'addresses', 'type', 'region', 'tier', 'tags', 'stage', 'consumption'] as const;
export type PurposeField = (typeof purposeFields)[number];

/** A processing purpose and the privacy notice currently shown for it (CON-1, CON-2). */
export interface Purpose {
  id: string;
  name: string;
  description: string;
  noticeVersion: string;
  /** Whether processing needs the customer's consent (marketing) or rests on another basis (service under contract). */
  requiresConsent: boolean;
  /** The customer fields this purpose may use. */
  fields: PurposeField[];
  version: number;
  updatedAt: string;
  updatedBy: string;
}

export type ConsentStatus = 'given' | 'withdrawn';

/** The latest consent decision of a customer for a purpose. */
export interface ConsentState {
  purposeId: string;
  status: ConsentStatus;
  noticeVersion: string;
  channel: string;
  at: string;
  /** True when given for the purpose's current notice version: only then may processing rely on it. */
  current: boolean;
}

export interface ConsentEvent {
  purposeId: string;
  action: 'give' | 'withdraw';
  noticeVersion: string;
  channel: string;
  at: string;
  recordedBy: string;
  /** Sealed evidence, opened for the view (e.g. a reference to a signed form). */
  evidence?: string;
  /** Set when the sealed evidence failed its integrity check: the decision stands, its evidence is not shown. */
  integrity?: 'failed';
}

/** Failures to publish are reported here, not to the caller: the decision is already recorded. */
export type PublishFailureHandler = (error: unknown, events: DomainEvent[]) => void;

/** What contexts that only consult consent (exports, sharing) use of it: they change none, so publish nothing. */
export type ConsentReads = Pick<ConsentService, 'purpose' | 'consenting' | 'consentingPage'>;
