import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../../platform/audit/index.js';
import { openJson, sealJson } from '../../platform/crypto/index.js';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../../platform/errors/index.js';
import { ConditionFailedError, type QueryPage, type Write } from '../../platform/ports/index.js';
import type { Complaint } from '../complaints/index.js';
import { writesForComplaint } from './complaint-signals.js';
import { RISK_FLAG_INDEX_ATTRIBUTES, type RiskFlagFields, type RiskFlagItem } from './repository.js';
import type { CustomerRiskFlagsQuery, ListRiskFlagsQuery, RiskFlagTransitionInput } from './schemas.js';
import { allowedRiskFlagActions, checkRiskFlagTransition } from './state-machine.js';
import type { RaiseRiskFlag, RiskFlag, RiskFlagServiceDeps, RiskFlagWriter } from './types.js';

const DEFAULT_PAGE = 50;
const HOUR_MS = 3_600_000;
const audited = (action: string, customerId: string) => ({ action, target: { type: 'customer', id: customerId } });
const noteField = (id: string) => ({ field: `risk-flag.${id}.note` });
/** The Idempotency-Key of the complaint a flag's closing opens: a retried close opens none again. */
export const complaintKeyOf = (flagId: string) => `risk-flag:${flagId}`;

/** The 409 of an action that does not apply now, listing those that do. */
export class RiskFlagActionConflictError extends ConflictError {
  constructor(message: string, allowed: readonly string[]) {
    super(message, 'action', { allowedActions: [...allowed] });
  }
}

/**
 * Risk flags (SAT-3, AN-3): customers to call back after a low score or a troubled complaint.
 * Raised inside the transaction of what raised them; assigned and closed by staff with the
 * call's outcome, each change one transaction with its audit entry, conditional on the version
 * it replaces.
 */
export class RiskFlagService implements RiskFlagWriter {
  constructor(private readonly deps: RiskFlagServiceDeps) {}

  /** The writes of a new flag (the flag and its pointer), for another context's transaction. */
  raiseWrites(input: RaiseRiskFlag): Write[] {
    const id = randomUUID();
    const flag: RiskFlagFields = {
      id,
      customerId: input.customerId,
      reason: input.reason,
      source: input.source,
      status: input.assignee ? 'assigned' : 'open',
      ...(input.assignee ? { assignee: input.assignee, assignedAt: input.at } : {}),
      raisedAt: input.at,
      version: 1,
    };
    return [this.deps.repository.write(flag), this.deps.repository.pointerWrite(flag)];
  }

  /** The complaint hook: flags raised by a complaint's change (complaint-signals.ts). */
  writesForComplaint(previous: Complaint | undefined, next: Complaint, at: string): Write[] {
    return writesForComplaint(this, previous, next, at);
  }

  async get(id: string, context: AuditContext): Promise<RiskFlag> {
    const flag = await this.load(id);
    await this.deps.audit.record(context, [audited('risk-flag.read', flag.customerId)]);
    return flag;
  }

  /** Flags of a status (open unless named), oldest first, by reason or assignee through their index. */
  async list(query: ListRiskFlagsQuery, context: AuditContext): Promise<QueryPage<RiskFlag>> {
    const result = await this.deps.repository.list(
      { status: query.status ?? 'open', ...(query.reason ? { reason: query.reason } : {}), ...(query.assignee ? { assignee: query.assignee } : {}) },
      { limit: query.limit ?? DEFAULT_PAGE, ...(query.cursor ? { cursor: query.cursor } : {}) },
    );
    const items = await Promise.all(result.items.map((item) => this.present(item)));
    if (items.length) await this.deps.audit.record(context, items.map((f) => audited('risk-flag.list', f.customerId)));
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  /** A customer's flags (the customer record, for staff who may see it). */
  async ofCustomer(customerId: string, context: AuditContext, query: CustomerRiskFlagsQuery = {}): Promise<QueryPage<RiskFlag>> {
    const result = await this.deps.repository.ofCustomer(customerId, { limit: query.limit ?? DEFAULT_PAGE, ...(query.cursor ? { cursor: query.cursor } : {}) });
    const items = await Promise.all(result.items.map((item) => this.present(item)));
    await this.deps.audit.record(context, [audited('risk-flag.list', customerId)]);
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  /**
   * Assigns or closes a flag; `expectedVersion` from If-Match (412 when stale). A close with a
   * complaint opens it first, keyed by the flag, so a retried close answers the same complaint.
   */
  async transition(id: string, input: RiskFlagTransitionInput, context: AuditContext, expectedVersion?: number): Promise<RiskFlag> {
    const current = await this.load(id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) throw new PreconditionFailedError('The risk flag changed since the version sent; read it again.');
    const check = checkRiskFlagTransition(current.status, input.action, context.actor.role);
    if (!check.ok) {
      if (check.reason === 'role') throw new ForbiddenError('Staff follow customers up; your role may not act on risk flags.', 'action');
      throw new RiskFlagActionConflictError(`A ${current.status} risk flag cannot take the action ${input.action}.`, allowedRiskFlagActions(current.status, context.actor.role));
    }
    const at = this.deps.clock.now().toISOString();
    let next: RiskFlag;
    if (input.action === 'assign') {
      next = { ...current, status: check.to, assignee: input.assignee!, assignedAt: at, version: current.version + 1 };
    } else {
      const complaintId = input.complaint ? await this.openComplaint(current, input.complaint, context) : undefined;
      next = {
        ...current,
        status: check.to,
        closedAt: at,
        closedBy: context.actor.id,
        outcome: input.outcome!,
        ...(input.note !== undefined ? { note: input.note } : {}),
        ...(complaintId ? { complaintId } : {}),
        version: current.version + 1,
      };
    }
    const key = await this.deps.keys.get(current.customerId);
    try {
      await this.deps.audit.commit(context, [audited(`risk-flag.${input.action}`, current.customerId)], [this.deps.repository.write(seal(key, next), current.version)]);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      throw new PreconditionFailedError('The risk flag changed meanwhile; read it again.', 'id');
    }
    return next;
  }

  /** Opens the closing call's complaint, keyed by the flag; its problems name the fields under `complaint`. */
  private async openComplaint(flag: RiskFlag, complaint: NonNullable<RiskFlagTransitionInput['complaint']>, context: AuditContext): Promise<string> {
    try {
      const { complaint: opened } = await this.deps.complaints.create({ customerId: flag.customerId, ...complaint }, { ...context, purpose: 'complaint-handling' }, complaintKeyOf(flag.id));
      return opened.id;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.message, error.issues.map((issue) => ({ ...issue, field: `complaint.${issue.field}` })));
    }
  }

  /** Flags nobody has closed, raised more than `hours` ago (the alarm's metric), at most 10,000. */
  countUnhandled(hours: number): Promise<number> {
    const before = new Date(this.deps.clock.now().getTime() - hours * HOUR_MS).toISOString();
    return this.deps.repository.countRaisedBefore(['open', 'assigned'], before);
  }

  private async load(id: string): Promise<RiskFlag> {
    const pointer = await this.deps.repository.pointer(id);
    const item = pointer && (await this.deps.repository.find(pointer.customerId, id));
    if (!item) throw new NotFoundError('No risk flag has this id.', 'id');
    return this.present(item);
  }

  /** Opens a stored flag; one whose note fails its check is shown marked, without the note. */
  private async present(item: RiskFlagItem): Promise<RiskFlag> {
    const { pk: _pk, sk: _sk, kind: _kind, sealedNote, ...rest } = item;
    const fields = { ...(rest as Record<string, unknown>) };
    for (const name of RISK_FLAG_INDEX_ATTRIBUTES) delete fields[name];
    const flag = fields as unknown as RiskFlag;
    if (sealedNote === undefined) return flag;
    try {
      const note = openJson<string>(await this.deps.keys.get(item.customerId), sealedNote, { customerId: item.customerId, ...noteField(item.id) });
      return note === undefined ? flag : { ...flag, note };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'SealError') throw error;
      return { ...flag, integrity: 'failed' };
    }
  }
}

/** The stored form of a flag: the note sealed under the customer's key, bound to the flag. */
function seal(key: Buffer, flag: RiskFlag): RiskFlagFields {
  const { note, integrity: _integrity, ...codes } = flag;
  const sealedNote = sealJson(key, note, { customerId: flag.customerId, ...noteField(flag.id) });
  return { ...codes, ...(sealedNote ? { sealedNote } : {}) };
}
