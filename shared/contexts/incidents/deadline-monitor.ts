import { randomUUID } from 'node:crypto';
import { ConditionFailedError, type Clock, type DomainEvent, type EventPublisher, type Store } from '../../platform/ports/index.js';
import { deadlinesOf } from './obligations.js';
import type { IncidentRepository } from './repository.js';
import type { Deadline, IncidentRecord, NotificationProgress, Obligation, OperatorType, ScopeCounts } from './types.js';

/** Incidents read per page of the unclosed index. */
const MONITOR_PAGE = 50;
export const DEFAULT_ALERT_FRACTIONS = [0.5, 0.9, 1];

export interface IncidentDeadlineMonitorDeps {
  repository: Pick<IncidentRepository, 'unclosed' | 'updateWrite' | 'find'>;
  store: Pick<Store, 'transact'>;
  scope: { counts(incidentId: string): Promise<ScopeCounts> };
  notifications: { progress(incidentId: string): Promise<NotificationProgress> };
  events: EventPublisher;
  clock: Clock;
  obligations: Obligation[];
  operatorType: OperatorType;
  /** Shares of each deadline's time at which an alert is announced. */
  fractions?: number[];
  onPublishFailure?: (error: unknown, events: DomainEvent[]) => void;
}

export interface DeadlineMonitorRun {
  /** Unclosed incidents read. */
  incidents: number;
  /** Applying deadlines whose clock runs, not met yet and not past. */
  running: number;
  /** Alerts announced by this run. */
  alerts: number;
  /** Unmet applying deadlines at or over each fraction now (`50%`, `90%`, `100%`): gauges. */
  byFraction: Record<string, number>;
  /** Deadlines past and not met (missed). */
  past: number;
}

/** `0.5` → `50%`: the metric dimension of a fraction. */
export const fractionLabel = (fraction: number) => `${Math.round(fraction * 1000) / 10}%`;

/** Unmet deadlines still owed: running, or past and missed (the 100% alert falls after the due time). */
const owed = (d: Deadline) => d.applies && (d.state === 'running' || d.state === 'missed') && d.elapsed !== undefined;

/**
 * Watches the legal clocks of every unclosed incident (a job every few minutes, BR-2). A
 * deadline reaching a fraction of its time not yet announced gets one `IncidentDeadlineAlert`
 * per fraction; the fractions announced are then saved on the record, conditional on the
 * version read, so runs announce each once. A failed publish saves nothing (the next run
 * announces again); a raced save is left to the next run, which may announce it twice
 * rather than never.
 */
export class IncidentDeadlineMonitor {
  private readonly fractions: number[];

  constructor(private readonly deps: IncidentDeadlineMonitorDeps) {
    this.fractions = [...new Set(deps.fractions?.length ? deps.fractions : DEFAULT_ALERT_FRACTIONS)].sort((a, b) => a - b);
  }

  async run(): Promise<DeadlineMonitorRun> {
    const result: DeadlineMonitorRun = { incidents: 0, running: 0, alerts: 0, byFraction: Object.fromEntries(this.fractions.map((f) => [fractionLabel(f), 0])), past: 0 };
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.unclosed({ limit: MONITOR_PAGE, ...(cursor ? { cursor } : {}) });
      for (const record of page.items) {
        if (record.status === 'closed') continue;
        result.incidents += 1;
        await this.watch(record, result);
      }
      cursor = page.cursor;
    } while (cursor);
    return result;
  }

  private async watch(record: IncidentRecord, result: DeadlineMonitorRun): Promise<void> {
    const [counts, notifications] = await Promise.all([this.deps.scope.counts(record.id), this.deps.notifications.progress(record.id)]);
    const now = this.deps.clock.now();
    const deadlines = deadlinesOf(record, { counts, notifications, now, obligations: this.deps.obligations, operatorType: this.deps.operatorType });
    const at = now.toISOString();
    const events: DomainEvent[] = [];
    const alerted: Record<string, number[]> = { ...record.alerted };
    for (const deadline of deadlines) {
      if (deadline.state === 'running') result.running += 1;
      if (deadline.state === 'missed') result.past += 1;
      if (!owed(deadline)) continue;
      const elapsed = deadline.elapsed!;
      const announced = new Set(record.alerted[deadline.obligation] ?? []);
      const reached = this.fractions.filter((f) => elapsed >= f);
      for (const f of reached) result.byFraction[fractionLabel(f)] = (result.byFraction[fractionLabel(f)] ?? 0) + 1;
      const fresh = reached.filter((f) => !announced.has(f));
      if (!fresh.length) continue;
      alerted[deadline.obligation] = [...announced, ...fresh].sort((a, b) => a - b);
      for (const fraction of fresh) {
        events.push({ type: 'IncidentDeadlineAlert', id: randomUUID(), at, detail: { incidentId: record.id, obligation: deadline.obligation, fraction, drill: record.drill } });
      }
    }
    if (!events.length) return;
    if (!(await this.publish(events))) return;
    result.alerts += events.length;
    try {
      await this.deps.store.transact([await this.deps.repository.updateWrite({ ...record, alerted, version: record.version + 1 }, record.version)]);
    } catch (error) {
      // Staff changed the incident meanwhile: the next run reads it again.
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  /** Publishes; a failure is reported, not thrown, and leaves the alerts unsaved for the next run. */
  private async publish(events: DomainEvent[]): Promise<boolean> {
    try {
      await this.deps.events.publish(events);
      return true;
    } catch (error) {
      if (this.deps.onPublishFailure) this.deps.onPublishFailure(error, events);
      else console.error(JSON.stringify({ level: 'ERROR', message: 'incident deadline alerts not published', types: ['IncidentDeadlineAlert'], causeName: (error as Error).name }));
      return false;
    }
  }
}
