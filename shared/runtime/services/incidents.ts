import { IncidentDeadlineMonitor } from '../../contexts/incidents/deadline-monitor.js';
import { NotificationService } from '../../contexts/incidents/notifications.js';
import { IncidentReportService } from '../../contexts/incidents/reports.js';
import { IncidentRepository } from '../../contexts/incidents/repository.js';
import { ScopeService } from '../../contexts/incidents/scope.js';
import { IncidentService } from '../../contexts/incidents/service.js';
import { AuditRepository } from '../../platform/audit/index.js';
import { LogDrillSink, OutboxNotifier } from '../../platform/notify/index.js';
import type { Notifier } from '../../platform/ports/index.js';
import type { Wiring } from '../wiring.js';
import { customerRepositoryOf, customersOf } from './customers.js';
import { eventsOf } from './events.js';
import { notifierOf } from './self.js';
import { sharingOf } from './sharing.js';

/** Breach incidents (BR-1 to BR-4): the record, its scope, deadlines, reports and notices. */
export const incidentRepositoryOf = (w: Wiring): IncidentRepository =>
  w.once('incidentRepository', () => new IncidentRepository(w.store, w.keys, w.config.indexShards.incidents));

/** Where a drill's notices go: never a customer. Without one, a drill's notification is refused. */
export function drillSinkOf(w: Wiring): Notifier | undefined {
  const { drillSink } = w.config;
  switch (drillSink.provider) {
    case 'folder':
      return new OutboxNotifier(drillSink.folder);
    case 'log':
      return new LogDrillSink();
    case 'none':
      return undefined;
  }
}

export const incidentScopesOf = (w: Wiring): ScopeService =>
  w.once(
    'incidentScopes',
    () =>
      new ScopeService({
        store: w.store,
        repository: incidentRepositoryOf(w),
        audit: w.audit,
        auditEntries: new AuditRepository(w.store, w.config.indexShards.auditActors),
        shares: sharingOf(w),
        customers: customerRepositoryOf(w),
        events: eventsOf(w),
        clock: w.clock,
        onPublishFailure: w.onPublishFailure,
      }),
  );

export const incidentNotificationsOf = (w: Wiring): NotificationService =>
  w.once('incidentNotifications', () => {
    const drillSink = drillSinkOf(w);
    return new NotificationService({
      store: w.store,
      repository: incidentRepositoryOf(w),
      scope: incidentScopesOf(w),
      customers: { contact: customersOf(w), profiles: customerRepositoryOf(w) },
      notifier: notifierOf(w),
      ...(drillSink ? { drillSink } : {}),
      events: eventsOf(w),
      clock: w.clock,
      audit: w.audit,
      contact: w.config.incidentContact,
      onPublishFailure: w.onPublishFailure,
    });
  });

export const incidentsOf = (w: Wiring): IncidentService =>
  w.once(
    'incidents',
    () =>
      new IncidentService({
        repository: incidentRepositoryOf(w),
        store: w.store,
        keys: w.keys,
        clock: w.clock,
        audit: w.audit,
        scope: incidentScopesOf(w),
        notifications: incidentNotificationsOf(w),
        obligations: w.config.incidentObligations,
        operatorType: w.config.incidentOperatorType,
        idempotencyTtlSeconds: w.config.idempotencyTtlSeconds,
      }),
  );

export const incidentReportsOf = (w: Wiring): IncidentReportService =>
  w.once(
    'incidentReports',
    () =>
      new IncidentReportService({
        repository: incidentRepositoryOf(w),
        store: w.store,
        audit: w.audit,
        clock: w.clock,
        scope: incidentScopesOf(w),
        notifications: incidentNotificationsOf(w),
        obligations: w.config.incidentObligations,
        operatorType: w.config.incidentOperatorType,
        contact: w.config.incidentContact,
      }),
  );

export const incidentDeadlinesOf = (w: Wiring): IncidentDeadlineMonitor =>
  w.once(
    'incidentDeadlines',
    () =>
      new IncidentDeadlineMonitor({
        repository: incidentRepositoryOf(w),
        store: w.store,
        scope: incidentScopesOf(w),
        notifications: incidentNotificationsOf(w),
        events: eventsOf(w),
        clock: w.clock,
        obligations: w.config.incidentObligations,
        operatorType: w.config.incidentOperatorType,
        fractions: w.config.incidentAlertFractions,
        onPublishFailure: w.onPublishFailure,
      }),
  );
