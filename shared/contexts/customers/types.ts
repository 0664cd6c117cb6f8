import type { Principal } from '../../platform/access/index.js';
import type { ReviewIntervals } from './review-policy.js';

export const customerTypes = ['individual', 'enterprise'] as const;
export const lifecycleStages = ['prospect', 'new', 'active', 'loyal', 'at-risk', 'dormant', 'lost'] as const;
export const consumptionHabits = ['high-frequency', 'medium-frequency', 'low-frequency'] as const;
/** The language the customer is written to in (survey invitations among others). */
export const customerLanguages = ['zh-CN', 'en'] as const;
export type CustomerLanguage = (typeof customerLanguages)[number];
export const collectionChannels = ['face-to-face', 'phone', 'online-form', 'email-survey', 'social-media', 'import'] as const;
export const lawfulBases = [
  'consent',
  'contract',
  'legal-obligation',
  'vital-interests',
  'public-interest',
  'legitimate-interests',
  'publicly-disclosed',
] as const;
export const verificationMethods = ['customer-confirmed', 'document', 'phone-call', 'email-confirmation', 'in-person'] as const;

export interface PersonalDetails {
  interests?: string[];
  occupation?: string;
  family?: string;
}

export interface Collection {
  channel: (typeof collectionChannels)[number];
  purposes: string[];
  noticeVersion: string;
  lawfulBasis: (typeof lawfulBases)[number];
}

/** The personal fields; each is sealed under the customer's data key before storage. */
export interface PersonalFields {
  name: string;
  emails: string[];
  phones: string[];
  addresses?: string[];
  /** Sensitive (CR-2): interests, occupation, family. */
  personal?: PersonalDetails;
  needs?: string;
}

export const sealedFields = ['name', 'emails', 'phones', 'addresses', 'personal', 'needs'] as const;
export type SealedField = (typeof sealedFields)[number];

export interface Classification {
  type: (typeof customerTypes)[number];
  region: string;
  tier: string;
  tags: string[];
  stage: (typeof lifecycleStages)[number];
  consumption?: (typeof consumptionHabits)[number];
  /** Stored in the clear like the rest of the classification: a code, not a personal text. */
  language?: CustomerLanguage;
}

/** What a legal hold can keep back from an erasure or expiry (DSR-3). */
export const holdCategories = ['profile', 'change-history', 'consents', 'interactions', 'complaints'] as const;
export type HoldCategory = (typeof holdCategories)[number];

/**
 * A legal hold (an open dispute, a retention obligation). Without categories it holds the
 * whole record; with them it narrows an erasure to everything else, and then it must end
 * on a named day, when the retention sweep destroys what it kept.
 */
export interface LegalHold {
  reason: string;
  /** Last day of the hold (UTC); open-ended without it. */
  until?: string;
  categories?: HoldCategory[];
}

export interface ProcessingFlags {
  restricted?: boolean;
  objections?: string[];
  legalHolds?: LegalHold[];
}

/** The holds in force on a day: they stop erasure and retention expiry (DSR-3). */
export const activeHolds = (flags: ProcessingFlags, now: Date): LegalHold[] =>
  (flags.legalHolds ?? []).filter((hold) => !hold.until || hold.until >= now.toISOString().slice(0, 10));

/** Whether a hold in force keeps this category of the customer's data. */
export const holdsCategory = (holds: LegalHold[], category: HoldCategory): boolean =>
  holds.some((hold) => !hold.categories || hold.categories.includes(category));

/** How a hold reads to the customer and on a certificate. */
export const describeHold = (hold: LegalHold): string =>
  `${hold.reason}${hold.categories ? ` [${hold.categories.join(', ')}]` : ''}${hold.until ? ` (until ${hold.until})` : ''}`;

export interface CustomerRecord extends Classification, Partial<PersonalFields>, ProcessingFlags {
  id: string;
  number: string;
  collection: Collection & { collectedAt: string };
  version: number;
  createdAt: string;
  updatedAt: string;
  review: { lastVerifiedAt?: string; dueAt: string };
}

/** How a list shows a record whose stored data failed its integrity check. */
export interface DamagedRecord {
  id: string;
  integrity: 'failed';
}

export interface HistoryEntry {
  version: number;
  at: string;
  actor: string;
  role: Principal['role'];
  action: 'created' | 'updated' | 'verified';
  fields: string[];
  reason: string;
}

/** How the history shows an entry whose sealed reason failed its integrity check. */
export type DamagedHistoryEntry = Omit<HistoryEntry, 'reason'> & { integrity: 'failed' };

export interface CustomerServiceOptions {
  reviewIntervals: ReviewIntervals;
  /** How long an Idempotency-Key is remembered. */
  idempotencyTtlSeconds: number;
}

export interface CreateResult {
  customer: CustomerRecord;
  /** True when an earlier request with the same Idempotency-Key created it. */
  replayed: boolean;
}
