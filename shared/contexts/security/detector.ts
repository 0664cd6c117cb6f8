import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditEntry } from '../../platform/audit/index.js';
import { UnavailableError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type DomainEvent, type EventPublisher, type Store } from '../../platform/ports/index.js';
import { AccessCounterRepository } from './counters-repository.js';
import type { FindingRepository } from './findings-repository.js';
import { hourStart, type CounterKind } from './keys.js';
import { contributions, findingIdOf, fixedThreshold, higherLevel, levelOf, opensIncident, readThreshold, type Contribution } from './rules.js';
import type { DetectorThresholds, Finding, FindingLevel, FindingRule } from './types.js';

/** What a draft incident needs from a finding (the incidents context's DraftIncidentInput). */
export interface DraftIncidentInput {
  findingId: string;
  rule: string;
  actor: string;
  /** The window whose entries by `actor` are the incident's scope. */
  from: string;
  to: string;
  detectedAt: string;
  /** The subject is a drill account (thresholds `drillActors`). */
  drill?: boolean;
}

export interface AccessDetectorDeps {
  store: Store;
  clock: Clock;
  thresholds: DetectorThresholds;
  findings: FindingRepository;
  /** Opens the draft incident of a finding at the configured level (idempotent per finding). */
  incidents?: { openDraft(input: DraftIncidentInput, context: AuditContext): Promise<{ id: string; created: boolean }> };
  /** Told of every finding a batch raised or raised further (metrics). */
  onFinding?: (finding: Finding) => void;
  /** Where `SecurityFindingRaised` goes (bus only: alerting subscribes). A failure to publish does not fail the batch. */
  events?: EventPublisher;
  onPublishFailure?: (error: unknown, events: DomainEvent[]) => void;
}

export interface Observation {
  /** Entries counted (those of `system` actors are not). */
  observed: number;
  findings: Finding[];
  /** Draft incidents this batch opened (or found opened) for its findings. */
  opened: string[];
}

const HOUR_MS = 3_600_000;
const SAVE_ATTEMPTS = 5;
/** The detector's own calls are audited as the system, so it never counts them. */
export const DETECTOR_CONTEXT: AuditContext = { actor: { id: 'access-detector', role: 'system' }, purpose: 'breach-response' };

const ruleOf: Readonly<Record<CounterKind, FindingRule>> = {
  reads: 'read-rate',
  offhours: 'off-hours',
  exports: 'bulk-export',
  'codes-contact': 'failed-codes-contact',
  'codes-source': 'failed-codes-source',
  'token-customers': 'token-many-customers',
};

/** Subject-hours of a batch counted at once: enough to overlap round trips, not to flood the client's sockets. */
const GROUPS_IN_FLIGHT = 16;

/** One subject-hour counter's share of a batch. */
interface Group {
  kind: CounterKind;
  subject: string;
  subjectRole: string;
  hour: string;
  count: number;
  firstAt: string;
  lastAt: string;
  customers: Set<string>;
}

/**
 * Unusual access (SEC-6), from the audit trail as it is written: each batch of entries is
 * counted per rule, subject and hour (one counter update per subject-hour and batch), and a
 * count at its threshold raises that hour's finding; a later batch raising the count
 * updates the same finding. A finding at the configured level opens a draft incident whose
 * scope is what its subject touched around that hour.
 *
 * A batch the stream hands again after a failure is counted again: the detector errs on the
 * side of a finding rather than keep a record of every entry seen.
 */
export class AccessDetector {
  private readonly counters: AccessCounterRepository;

  constructor(private readonly deps: AccessDetectorDeps) {
    this.counters = new AccessCounterRepository(deps.store);
  }

  async observe(entries: AuditEntry[]): Promise<Observation> {
    const groups = new Map<string, Group>();
    let observed = 0;
    for (const entry of entries) {
      const parts = contributions(entry, this.deps.thresholds);
      if (entry.role !== 'system') observed += 1;
      for (const part of parts) add(groups, part, entry.at);
    }
    const findings: Finding[] = [];
    const opened: string[] = [];
    /** Hours completed in this batch, by role: folded into each role's baseline once. */
    const completed = new Map<string, number[]>();
    const pending = [...groups.values()];
    // A few groups at a time: a batch of 500 entries may hold hundreds of subject-hours.
    await Promise.all(
      Array.from({ length: Math.min(GROUPS_IN_FLIGHT, pending.length) }, async () => {
        for (let group = pending.shift(); group; group = pending.shift()) {
          const result = await this.count(group, completed);
          if (!result) continue;
          findings.push(result.finding);
          if (result.opened) opened.push(result.opened);
        }
      }),
    );
    await Promise.all([...completed].map(([role, counts]) => this.counters.foldRole(role, counts)));
    for (const finding of findings) this.deps.onFinding?.(finding);
    await this.publish(findings);
    return { observed, findings, opened };
  }

  private async publish(findings: Finding[]): Promise<void> {
    if (!this.deps.events || !findings.length) return;
    const at = this.deps.clock.now().toISOString();
    const events: DomainEvent[] = findings.map((f) => ({
      type: 'SecurityFindingRaised',
      id: randomUUID(),
      at,
      detail: { findingId: f.id, rule: f.rule, level: f.level, hour: f.hour, observed: f.observed, threshold: f.threshold, ...(f.incidentId ? { incidentId: f.incidentId } : {}) },
    }));
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      // The finding is stored and listed; the event only speeds up who hears of it.
      this.deps.onPublishFailure?.(error, events);
    }
  }

  /** Counts one group and raises its finding when the new total crosses the rule's threshold. */
  private async count(group: Group, completed: Map<string, number[]>): Promise<{ finding: Finding; opened?: string } | undefined> {
    const { kind, subject, hour } = group;
    const firstMs = Date.parse(group.firstAt);
    let total: number;
    let created: boolean;
    if (kind === 'token-customers') {
      const fresh = await this.counters.markSeen(subject, hour, group.customers);
      if (fresh === 0) return undefined;
      ({ total, created } = await this.counters.add(kind, subject, hour, fresh, firstMs));
    } else {
      ({ total, created } = await this.counters.add(kind, subject, hour, group.count, firstMs));
    }
    if (kind === 'reads' && created) {
      const folded = await this.counters.advance(subject, hour);
      if (folded !== undefined) completed.set(group.subjectRole, [...(completed.get(group.subjectRole) ?? []), folded]);
    }
    const rule = ruleOf[kind];
    const { threshold, baseline } = await this.thresholdOf(rule, group, total);
    const level = levelOf(total, threshold, this.deps.thresholds.highFactor);
    if (!level) return undefined;
    const first = created ? firstMs : ((await this.counters.get(kind, subject, hour))?.firstMs ?? firstMs);
    return this.raise({
      id: findingIdOf(rule, subject, hour),
      rule,
      level,
      subject,
      subjectRole: group.subjectRole,
      hour,
      observed: total,
      threshold,
      ...(baseline ? { baseline } : {}),
      firstAt: new Date(Math.min(first, firstMs)).toISOString(),
      lastAt: group.lastAt,
      updatedAt: this.deps.clock.now().toISOString(),
    });
  }

  private async thresholdOf(rule: FindingRule, group: Group, total: number): Promise<{ threshold: number; baseline?: Finding['baseline'] }> {
    const { thresholds } = this.deps;
    if (rule !== 'read-rate') return { threshold: fixedThreshold(rule, thresholds) };
    // No baseline can lower the threshold below the minimum: below it, nothing to look up.
    if (total < thresholds.readsPerHourMin) return { threshold: thresholds.readsPerHourMin };
    const [actor, role] = await Promise.all([this.counters.usableBaseline('actor', group.subject), this.counters.usableBaseline('role', group.subjectRole)]);
    const baseline = { ...(actor !== undefined ? { actor } : {}), ...(role !== undefined ? { role } : {}) };
    return { threshold: readThreshold(thresholds, baseline), ...(actor !== undefined || role !== undefined ? { baseline } : {}) };
  }

  /**
   * Saves the finding, merged with what another batch saved of it (the higher count and
   * level, the wider span), conditional on the version read. At the incident level its
   * draft incident is opened first, once: the incident's id derives from the finding's.
   */
  private async raise(candidate: Finding): Promise<{ finding: Finding; opened?: string }> {
    for (let attempt = 1; attempt <= SAVE_ATTEMPTS; attempt++) {
      const current = await this.deps.findings.find(candidate.id);
      const next = current ? merge(current.finding, candidate) : candidate;
      let opened: string | undefined;
      if (!next.incidentId && this.deps.incidents && opensIncident(next.level, this.deps.thresholds.incidentLevel)) {
        const draft = await this.deps.incidents.openDraft(
          {
            findingId: next.id,
            rule: next.rule,
            actor: next.subject,
            from: new Date(hourStart(next.hour).getTime() - HOUR_MS).toISOString(),
            to: new Date(Date.parse(next.lastAt) + HOUR_MS).toISOString(),
            detectedAt: next.updatedAt,
            ...(this.deps.thresholds.drillActors.includes(next.subject) ? { drill: true } : {}),
          },
          DETECTOR_CONTEXT,
        );
        next.incidentId = draft.id;
        opened = draft.id;
      }
      try {
        await this.deps.findings.save(next, current?.version);
        return { finding: next, ...(opened ? { opened } : {}) };
      } catch (error) {
        if (!(error instanceof ConditionFailedError)) throw error;
      }
    }
    throw new UnavailableError('store');
  }
}

function add(groups: Map<string, Group>, part: Contribution, at: string): void {
  const key = `${part.kind}\u0000${part.subject}\u0000${part.hour}`;
  let group = groups.get(key);
  if (!group) {
    group = { kind: part.kind, subject: part.subject, subjectRole: part.subjectRole, hour: part.hour, count: 0, firstAt: at, lastAt: at, customers: new Set() };
    groups.set(key, group);
  }
  group.count += 1;
  if (part.customer) group.customers.add(part.customer);
  if (at < group.firstAt) group.firstAt = at;
  if (at > group.lastAt) group.lastAt = at;
}

/** Counts only grow, so the larger observation is the later one; the threshold first crossed stays. */
function merge(current: Finding, candidate: Finding): Finding {
  const level: FindingLevel = higherLevel(current.level, candidate.level);
  return {
    ...current,
    level,
    observed: Math.max(current.observed, candidate.observed),
    ...(candidate.baseline && !current.baseline ? { baseline: candidate.baseline } : {}),
    firstAt: candidate.firstAt < current.firstAt ? candidate.firstAt : current.firstAt,
    lastAt: candidate.lastAt > current.lastAt ? candidate.lastAt : current.lastAt,
    updatedAt: candidate.updatedAt,
  };
}
