import type { PurposeField } from '../consent/index.js';
import type { CreatePartnerInput } from './schemas.js';

/** A partner the company may share customer data with (CON-4). */
export interface Partner extends CreatePartnerInput {
  createdAt: string;
  createdBy: string;
}

export interface Share {
  id: string;
  partnerId: string;
  agreementRef: string;
  purposeId: string;
  fields: PurposeField[];
  customerIds: string[];
  legalBasis: string;
  at: string;
  actor: string;
}
