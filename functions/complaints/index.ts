import { awsNotifier } from '../../shared/runtime/aws-adapters.js';
import { complaintPoliciesOf } from '../../shared/runtime/services/complaint-policies.js';
import { complaintsOf } from '../../shared/runtime/services/complaints.js';
import { lambdaHttpEntry } from '../http/entry.js';
import { createComplaintsHandler } from './handler.js';

/** Lambda entry point of the complaints context: it writes to customers (acknowledgements, resolutions). */
export const handler = await lambdaHttpEntry(
  'complaints',
  (w) => ({ complaints: complaintsOf(w), complaintPolicies: complaintPoliciesOf(w) }),
  createComplaintsHandler,
  (config, instrument) => awsNotifier(config, instrument),
);
