/**
 * Where audit checkpoints are kept out of the application's reach: an S3 bucket with
 * Object Lock in AWS (the functions may add objects, never delete or replace them), an
 * append-only file locally. Documents are opaque here; the audit trail signs and checks
 * them. Failures to reach it surface as `UnavailableError('audit-anchor')`.
 */
export interface AuditAnchor {
  /** Adds the checkpoint taken at `at` (an ISO time); never replaces an existing one. */
  append(at: string, document: string): Promise<void>;
  /** The most recent checkpoint, with the time the anchor filed it under. */
  latest(): Promise<{ at: string; document: string } | undefined>;
}
