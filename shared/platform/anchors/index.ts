export { FileAuditAnchor } from './file-audit-anchor.js';
// The S3 adapter is imported from its own file (shared/runtime/aws-adapters.ts): bundles without it carry no S3 client.
