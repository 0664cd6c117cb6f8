import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { openJson, sealJson, SealError, type DataKeyRing } from '../../platform/crypto/index.js';
import { ConflictError, NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../../platform/errors/index.js';
import {
  ConditionFailedError,
  type Clock,
  type DomainEvent,
  type EventPublisher,
  type IntegrityFailureHandler,
  type QueryPage,
  type Store,
} from '../../platform/ports/index.js';
import { liveProfile } from '../customers/index.js';
import { OutdatedNoticeError, PurposeNotFoundError } from './errors.js';
import { decisionEvent, isCurrentConsent } from './rules.js';
import type { ConsentRepository } from './repository.js';
import type { PutPurposeInput, RecordConsentInput } from './schemas.js';
import type { ConsentEvent, ConsentState, PublishFailureHandler, Purpose } from './types.js';




/**
 * Purposes and consent (CON-1, CON-2): each purpose with its current notice version;
 * consent given or withdrawn per purpose with time, channel, notice version and sealed
 * evidence, the full log kept; consent to an older notice counts as none until renewed.
 */
export class ConsentService {
  constructor(
    private readonly deps: {
      repository: ConsentRepository;
      store: Store;
      keys: DataKeyRing;
      clock: Clock;
      audit: AuditTrail;
      events: EventPublisher;
      onPublishFailure: PublishFailureHandler;
      onIntegrityFailure: IntegrityFailureHandler;
    },
  ) {}

  listPurposes(): Promise<Purpose[]> {
    return this.deps.repository.purposes();
  }

  async purpose(id: string): Promise<Purpose> {
    const purpose = await this.deps.repository.purpose(id);
    if (!purpose) throw new PurposeNotFoundError();
    return purpose;
  }

  /** Creates or replaces a purpose. A new notice version asks every consenting customer again. */
  async putPurpose(id: string, input: PutPurposeInput, ifMatch: number | undefined, context: AuditContext): Promise<{ purpose: Purpose; created: boolean }> {
    const existing = await this.deps.repository.purpose(id);
    if (existing && ifMatch === undefined) throw new PreconditionRequiredError('This purpose exists: send If-Match with the version you read.');
    if (existing && existing.version !== ifMatch) throw new PreconditionFailedError(`The purpose is at version ${existing.version}.`);
    if (!existing && ifMatch !== undefined) throw new PreconditionFailedError('This purpose does not exist yet; create it without If-Match.');
    const at = this.deps.clock.now().toISOString();
    const purpose: Purpose = { id, ...input, fields: [...new Set(input.fields)], version: (existing?.version ?? 0) + 1, updatedAt: at, updatedBy: context.actor.id };
    try {
      await this.deps.audit.commit(context, [{ action: existing ? 'purpose.update' : 'purpose.create', target: { type: 'purpose', id } }], [
        this.deps.repository.purposeWrite(purpose, existing?.version),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new PreconditionFailedError('The purpose changed meanwhile; read it again.');
      throw error;
    }
    if (existing && existing.noticeVersion !== purpose.noticeVersion) {
      await this.publish([{ type: 'PurposeNoticeChanged', id: `${id}:${purpose.version}`, at, detail: { purposeId: id, noticeVersion: purpose.noticeVersion } }]);
    }
    return { purpose, created: !existing };
  }

  /** Records a customer's decision for one purpose. */
  async record(customerId: string, input: RecordConsentInput, context: AuditContext): Promise<ConsentState> {
    const [purpose, profile] = await Promise.all([
      this.purpose(input.purposeId),
      liveProfile(this.deps.store, customerId),
    ]);
    if (!profile) throw new NotFoundError('No customer has this id.', 'id');
    if (input.action === 'give' && input.noticeVersion !== purpose.noticeVersion) throw new OutdatedNoticeError(purpose.noticeVersion);
    const previous = await this.deps.repository.state(customerId, purpose.id);
    const at = this.deps.clock.now().toISOString();
    const noticeVersion = input.action === 'give' ? purpose.noticeVersion : (previous?.noticeVersion ?? purpose.noticeVersion);
    const status = input.action === 'give' ? 'given' : 'withdrawn';
    const evidence = input.evidence === undefined ? undefined : sealJson(await this.deps.keys.get(customerId), input.evidence, { customerId, field: `consent.evidence` });
    const state = { customerId, purposeId: purpose.id, status, noticeVersion, channel: input.channel, at, version: (previous?.version ?? 0) + 1 } as const;
    const writes = this.deps.repository.recordWrites(
      state,
      { purposeId: purpose.id, action: input.action, noticeVersion, channel: input.channel, at, recordedBy: context.actor.id, ...(evidence ? { sealedEvidence: evidence } : {}) },
      previous?.version,
    );
    try {
      await this.deps.audit.commit(context, [{ action: `consent.${input.action}`, target: { type: 'customer', id: customerId } }], writes);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new ConflictError('Another decision for this purpose was recorded meanwhile; read the consents again.', 'purposeId');
      throw error;
    }
    const event = decisionEvent(input.action, previous, purpose);
    if (event) await this.publish([{ type: event, id: `${customerId}:${purpose.id}:${state.version}`, at, detail: { customerId, purposeId: purpose.id } }]);
    return { purposeId: purpose.id, status, noticeVersion, channel: input.channel, at, current: isCurrentConsent(state, purpose) };
  }

  async consents(customerId: string, context: AuditContext): Promise<{ current: ConsentState[]; history: ConsentEvent[] }> {
    if (!(await liveProfile(this.deps.store, customerId))) throw new NotFoundError('No customer has this id.', 'id');
    const [states, log, purposes] = await Promise.all([this.deps.repository.states(customerId), this.deps.repository.log(customerId), this.listPurposes()]);
    const noticeOf = new Map(purposes.map((p) => [p.id, p]));
    const sealed = log.items.some((entry) => entry.sealedEvidence);
    const key = sealed ? await this.deps.keys.get(customerId).catch((error: unknown) => this.damaged(error)) : undefined;
    const history = log.items.map(({ purposeId, action, noticeVersion, channel, at, recordedBy, sealedEvidence }): ConsentEvent => {
      const decision = { purposeId, action, noticeVersion, channel, at, recordedBy };
      if (!sealedEvidence) return decision;
      try {
        if (key) return { ...decision, evidence: openJson<string>(key, sealedEvidence, { customerId, field: 'consent.evidence' })! };
      } catch (error) {
        this.damaged(error);
      }
      // Evidence that does not open: the decision stands, marked, and operators are alerted.
      this.deps.onIntegrityFailure({ record: 'consent', customerId });
      return { ...decision, integrity: 'failed' };
    });
    const current = states.items.map((s) => {
      const purpose = noticeOf.get(s.purposeId);
      return { purposeId: s.purposeId, status: s.status, noticeVersion: s.noticeVersion, channel: s.channel, at: s.at, current: !!purpose && isCurrentConsent(s, purpose) };
    });
    await this.deps.audit.record(context, [{ action: 'consent.read', target: { type: 'customer', id: customerId } }]);
    return { current, history };
  }

  /** Customers whose consent rests on an older notice of the purpose: to ask again (CON-2). */
  async renewals(purposeId: string, context: AuditContext, page: { limit?: number; cursor?: string }) {
    const purpose = await this.purpose(purposeId);
    const result = await this.deps.repository.given(purposeId, { limit: page.limit ?? 50, ...(page.cursor ? { cursor: page.cursor } : {}) });
    const items = result.items
      .filter((s) => s.noticeVersion !== purpose.noticeVersion)
      .map((s) => ({ customerId: s.customerId, noticeVersion: s.noticeVersion, at: s.at }));
    await this.deps.audit.record(context, [{ action: 'consent.renewals', target: { type: 'purpose', id: purposeId } }]);
    return { purposeId, noticeVersion: purpose.noticeVersion, items, ...(result.cursor ? { cursor: result.cursor } : {}) };
  }

  /** Which of these customers have current consent for the purpose (or the purpose needs none). */
  async consenting(customerIds: string[], purpose: Purpose): Promise<Set<string>> {
    if (!purpose.requiresConsent) return new Set(customerIds);
    const states = await this.deps.repository.statesOf(customerIds, purpose.id);
    return new Set(states.filter((s) => isCurrentConsent(s, purpose)).map((s) => s.customerId));
  }

  /** Every customer with current consent for the purpose, a page at a time. */
  async consentingPage(purpose: Purpose, page: { limit: number; cursor?: string }): Promise<QueryPage<string>> {
    const result = await this.deps.repository.given(purpose.id, page);
    const items = result.items.filter((s) => isCurrentConsent(s, purpose)).map((s) => s.customerId);
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  /** A seal that does not open counts as damage (answered as undefined); anything else is thrown on. */
  private damaged(error: unknown): undefined {
    if (error instanceof SealError) return undefined;
    throw error;
  }

  private async publish(events: DomainEvent[]): Promise<void> {
    try {
      await this.deps.events.publish(events);
    } catch (error) {
      this.deps.onPublishFailure(error, events);
    }
  }
}
