import { ComplaintPolicyService } from '../../contexts/complaints/policies.js';
import type { Wiring } from '../wiring.js';

/**
 * The policies in force: one per wiring, so one cache per container, shared by the complaint
 * service, the announcer and the reports. It pulls in nothing else (the reports function
 * takes it without the complaint service).
 */
export const complaintPoliciesOf = (w: Wiring): ComplaintPolicyService =>
  w.once('complaintPolicies', () => new ComplaintPolicyService({ store: w.store, clock: w.clock, audit: w.audit }));
