import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import type { Clock, Store } from '../../platform/ports/index.js';
import type { IncidentRepository } from './repository.js';
import type { NotificationProgress, Obligation, OperatorType, ScopeCounts, ScopeRun, ScopeSource } from './types.js';

/** The scope job as the incident record needs it (ScopeService). */
export interface IncidentScopes {
  start(incidentId: string, source: ScopeSource, context: AuditContext): Promise<ScopeRun>;
  counts(incidentId: string): Promise<ScopeCounts>;
  runs(incidentId: string): Promise<ScopeRun[]>;
}

/** The customers' notification as the incident record needs it (NotificationService). */
export interface IncidentNotifications {
  start(incidentId: string, context: AuditContext): Promise<NotificationProgress>;
  progress(incidentId: string): Promise<NotificationProgress>;
}

export interface IncidentServiceDeps {
  repository: IncidentRepository;
  store: Store;
  keys: Pick<DataKeyRing, 'indexKey'>;
  clock: Clock;
  audit: Pick<AuditTrail, 'record' | 'commit'>;
  scope: IncidentScopes;
  notifications: IncidentNotifications;
  obligations: Obligation[];
  operatorType: OperatorType;
  /** How long an Idempotency-Key of a create is remembered. */
  idempotencyTtlSeconds?: number;
}

