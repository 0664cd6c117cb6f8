export const interactionChannels = ['phone', 'email', 'face-to-face', 'online-chat', 'social-media', 'letter', 'other'] as const;

/** An interaction as the API shows it (INT-1). */
export interface Interaction {
  id: string;
  customerId: string;
  channel: (typeof interactionChannels)[number];
  occurredAt: string;
  place?: string;
  participants: string[];
  summary: string;
  attachments: string[];
  recordedBy: string;
  recordedAt: string;
  /** SHA-256 of the stored record, also fixed in its audit entry (INT-3). */
  contentHash: string;
}

/** How a list shows an interaction whose stored content failed its integrity check. */
export interface DamagedInteraction {
  id: string;
  customerId: string;
  occurredAt: string;
  integrity: 'failed';
}
