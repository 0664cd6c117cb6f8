import { createHmac } from 'node:crypto';
import type { AuditTrail } from '../audit/index.js';
import type { DataKeyRing } from '../crypto/index.js';
import {
  activeHolds,
  describeHold,
  holdCategories,
  holdsCategory,
  type CustomerItem,
  type ErasureMark,
  type HoldCategory,
  type LegalHold,
} from '../customers/index.js';
import { ConditionFailedError, type Clock, type QueryPage, type Store, type StoreItem, type Write } from '../ports/index.js';
import type { RequestService } from '../requests/index.js';
import { dataTable, keysTable } from '../store/tables.js';

/** A record of what was destroyed, for whom (pseudonymously), why, how, by whom and when (RET-3). */
export interface DestructionCertificate {
  id: string;
  subjectRef: string;
  categories: string[];
  reason: 'request' | 'expiry' | 'business-end';
  method: string;
  requestId?: string;
  /** What legal holds kept back from this erasure, and until when (DSR-3). */
  retained?: Array<{ categories: HoldCategory[]; reason: string; until?: string }>;
  actor: string;
  at: string;
}

export type ErasureCause = { requestId: string } | { sweepId: string };

const T = dataTable.name;
const WORKER = { id: 'erasure-worker', role: 'dpo' as const };
const CATEGORIES = ['profile', 'contacts', 'change-history', 'consents', 'interactions', 'request-details', 'data-key'];
/** An erasure unfinished this long after it started has lost its message: it is handed on again. */
export const RESUME_ERASURE_AFTER_MS = 3_600_000;
/** Where a narrowed erasure's remainder waits in the retention index for its holds to end. */
export const HELD_REMAINDER = 'RETAIN#held-remainder';

/** The category an item of a customer's partition belongs to, as legal holds name them. */
function categoryOf(sk: string): HoldCategory | undefined {
  if (sk === 'PROFILE') return 'profile';
  if (sk.startsWith('HISTORY#')) return 'change-history';
  if (sk.startsWith('CONSENT#')) return 'consents';
  if (sk.startsWith('INTERACTION#')) return 'interactions';
  return undefined;
}

/**
 * Erasure by crypto-shredding (DSR-3): hide the record, delete every item of the customer
 * and its uniqueness guards, destroy the data key (so copies in backups can never be
 * opened), then certify. Every step can run again: a retry after a crash at any point
 * finishes the job, and the record is never visible as active in between.
 *
 * A legal hold of the whole record stops the erasure. Holds that name categories narrow
 * it: everything else goes, what they keep stays sealed under the key (which therefore
 * survives), and the retention sweep erases the remainder once the last hold has ended.
 */
export class ErasureService {
  constructor(
    private readonly deps: { store: Store; keys: DataKeyRing; clock: Clock; audit: AuditTrail; requests: RequestService },
  ) {}

  /**
   * Erases a customer for an approved request, or because their record's retention (or the
   * hold over an erasure's remainder) ended: `sweepId` then names the sweep. Answers the
   * certificate, or undefined when there was nothing to do: a legal hold stopped
   * the erasure, or its request was closed already.
   */
  async erase(customerId: string, cause: ErasureCause): Promise<DestructionCertificate | undefined> {
    const requestId = 'requestId' in cause ? cause.requestId : undefined;
    const reference = requestId ?? `${(cause as { sweepId: string }).sweepId}:${customerId}`;
    const certificateKey = { pk: `CERTIFICATE#${reference}`, sk: 'CERTIFICATE' };
    const done = await this.deps.store.get<DestructionCertificate & StoreItem>(T, certificateKey);
    if (done) return strip(done);
    const now = this.deps.clock.now();
    const context = { actor: { ...WORKER, requestId: reference }, purpose: requestId ? 'erasure' : 'retention' };
    // Only an approved erasure request of this very customer destroys anything.
    if (requestId && (await this.deps.requests.erasureState(requestId, customerId)) === 'closed') return undefined;

    const profile = await this.deps.store.get<CustomerItem>(T, { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' });
    const holds = profile ? activeHolds(profile, now) : [];
    // A hold placed after approval or after the sweep still stops destruction.
    const stopping = holds.filter((hold) => !hold.categories);
    if (stopping.length) {
      const reason = `Erasure stopped by legal hold: ${stopping.map(describeHold).join('; ')}`;
      if (requestId) await this.deps.requests.closeBySystem(requestId, context, { action: 'reject', reason });
      return undefined;
    }
    const retained = holdCategories.filter((category) => holdsCategory(holds, category));
    // A remainder whose holds have not ended yet: nothing to do until they have.
    if (retained.length && profile?.erasure && profile.erasure.requestId !== reference) return undefined;
    // 1. Hide: from now on the customer is gone for every route.
    let hidden = profile;
    if (profile && !profile.erasure) {
      const erasure: ErasureMark = { requestId: reference, startedAt: now.toISOString(), cause, ...(retained.length ? { retained } : {}) };
      hidden = { ...profile, erasure, version: profile.version + 1 };
      await this.deps.store.transact([{ op: 'put', table: T, item: hidden, condition: { kind: 'version', version: profile.version }, label: 'profile' }]);
    }
    // The pseudonym needs the index key (KMS): fetched before anything is destroyed, so that
    // a key-service outage leaves the customer hidden but whole.
    const subjectRef = await this.subjectRef(customerId);
    // 2. Delete: guards first (the profile names them), then every item of the customer not held, the profile last.
    if (profile) {
      await this.deleteAll([
        ...(profile.emailIndexes ?? []).map((i) => ({ pk: `EMAIL#${i}`, sk: 'GUARD' })),
        ...(profile.phoneIndexes ?? []).map((i) => ({ pk: `PHONE#${i}`, sk: 'GUARD' })),
      ]);
    }
    // Requests stay (pseudonymous) without the customer's words; found through pointers deleted next.
    await this.deps.requests.stripDetails(customerId);
    const partition = (await this.partition(customerId)).filter((key) => {
      const category = categoryOf(key.sk);
      return !category || !retained.includes(category);
    });
    await this.deleteAll(partition.filter((k) => k.sk !== 'PROFILE'));
    if (retained.length && hidden?.erasure) {
      return this.narrowed(customerId, { hidden: { ...hidden, erasure: hidden.erasure }, retained, holds, reference, requestId, subjectRef, context });
    }
    await this.deleteAll(partition.filter((k) => k.sk === 'PROFILE'));
    // 3. Destroy the key: what remains anywhere, backups included, can no longer be opened.
    await this.deps.store.transact([{ op: 'delete', table: keysTable.name, key: { pk: customerId } }]);
    this.deps.keys.forget(customerId);
    // 4. Certify, audited in the same transaction; then close the request.
    // The remainder of an erasure an earlier run narrowed (not this run's own, retried).
    const remainder = profile?.erasure && profile.erasure.requestId !== reference ? profile.erasure.retained : undefined;
    const certificate: DestructionCertificate = {
      id: reference,
      subjectRef,
      categories: remainder ? [...remainder, 'data-key'] : CATEGORIES,
      reason: requestId ? 'request' : 'expiry',
      method: remainder
        ? `deletion of what legal holds had kept since erasure ${profile?.erasure?.requestId}, then destruction of the customer data key (crypto-shredding)`
        : 'deletion of every item and index entry, then destruction of the customer data key (crypto-shredding)',
      ...(requestId ? { requestId } : {}),
      actor: requestId ? WORKER.id : 'retention-sweep',
      at: now.toISOString(),
    };
    await this.certify(certificate, certificateKey, context, customerId);
    if (requestId) await this.deps.requests.closeBySystem(requestId, context, { action: 'complete', reason: 'erasure finished' });
    return certificate;
  }

  /**
   * The end of an erasure narrowed by legal holds: the profile becomes a hidden remainder
   * (only its held fields, none if the profile itself is not held) filed in the retention
   * index under the day the last hold ends; the key stays for what is kept.
   */
  private async narrowed(
    customerId: string,
    run: {
      hidden: CustomerItem & { erasure: ErasureMark };
      retained: HoldCategory[];
      holds: LegalHold[];
      reference: string;
      requestId: string | undefined;
      subjectRef: string;
      context: { actor: { id: string; role: 'dpo'; requestId: string }; purpose: string };
    },
  ): Promise<DestructionCertificate> {
    const { hidden, retained, holds, reference, requestId } = run;
    const narrowing = holds.filter((hold) => hold.categories);
    const lastDay = narrowing.map((hold) => hold.until!).sort().at(-1)!;
    // Out of the customer list and the review index; only the retention index finds it.
    const { gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, ...unlisted } = hidden;
    const base = retained.includes('profile')
      ? { ...unlisted, emailIndexes: [], phoneIndexes: [] }
      : { pk: hidden.pk, sk: hidden.sk, kind: hidden.kind, id: hidden.id, version: hidden.version, erasure: hidden.erasure };
    const remainder = { ...base, legalHolds: narrowing, gsi3pk: HELD_REMAINDER, gsi3sk: `${lastDay}#${customerId}` };
    await this.deps.store.transact([{ op: 'put', table: T, item: remainder }]);

    const certificate: DestructionCertificate = {
      id: reference,
      subjectRef: run.subjectRef,
      categories: CATEGORIES.filter((category) => category !== 'data-key' && !retained.includes(category as HoldCategory)),
      reason: requestId ? 'request' : 'expiry',
      method: `deletion of every item and index entry not under a legal hold; the data key is kept for what the holds keep until ${lastDay}, then destroyed`,
      ...(requestId ? { requestId } : {}),
      retained: narrowing.map((hold) => ({ categories: hold.categories!, reason: hold.reason, until: hold.until! })),
      actor: requestId ? WORKER.id : 'retention-sweep',
      at: this.deps.clock.now().toISOString(),
    };
    await this.certify(certificate, { pk: `CERTIFICATE#${reference}`, sk: 'CERTIFICATE' }, run.context, customerId);
    if (requestId) {
      const outcome = `erased except what legal holds keep: ${narrowing.map(describeHold).join('; ')}; that is erased when the holds end`;
      await this.deps.requests.closeBySystem(requestId, run.context, { action: 'complete', reason: outcome });
    }
    return certificate;
  }

  /** Destroys interactions whose retention ended (RET-2) and certifies it per customer. */
  async expireInteractions(customerId: string, keys: Array<{ pk: string; sk: string }>, sweepId: string): Promise<DestructionCertificate> {
    const reference = `${sweepId}:${customerId}:interactions`;
    const certificateKey = { pk: `CERTIFICATE#${reference}`, sk: 'CERTIFICATE' };
    const done = await this.deps.store.get<DestructionCertificate & StoreItem>(T, certificateKey);
    if (done) return strip(done);
    await this.deleteAll(keys);
    const certificate: DestructionCertificate = {
      id: reference,
      subjectRef: await this.subjectRef(customerId),
      categories: ['interactions'],
      reason: 'expiry',
      method: `deletion of ${keys.length} interaction record(s) past their retention period`,
      actor: 'retention-sweep',
      at: this.deps.clock.now().toISOString(),
    };
    await this.certify(certificate, certificateKey, { actor: { ...WORKER, id: 'retention-sweep', requestId: sweepId }, purpose: 'retention' }, customerId);
    return certificate;
  }

  private async certify(
    certificate: DestructionCertificate,
    certificateKey: { pk: string; sk: string },
    context: { actor: { id: string; role: 'dpo'; requestId: string }; purpose: string },
    customerId: string,
  ): Promise<void> {
    try {
      const action = certificate.categories.length === 1 ? 'interaction.expire' : 'customer.erase';
      await this.deps.audit.commit(context, [{ action, target: { type: 'customer', id: customerId } }], [
        {
          op: 'put',
          table: T,
          item: {
            ...certificate,
            ...certificateKey,
            gsi1pk: 'CERTIFICATE',
            gsi1sk: `${certificate.at}#${certificate.id}`,
            gsi2pk: `SUBJECT#${certificate.subjectRef}`,
            gsi2sk: certificate.at,
          },
          condition: { kind: 'absent' },
          label: 'certificate',
        },
      ]);
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
    }
  }

  /** Whether a certified erasure removed this customer (found by pseudonymous reference). */
  async isErased(customerId: string): Promise<boolean> {
    const page = await this.deps.store.query({
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', value: `SUBJECT#${await this.subjectRef(customerId)}` },
      limit: 1,
    });
    return page.items.length > 0;
  }

  async certificates(page: { limit: number; cursor?: string }): Promise<QueryPage<DestructionCertificate>> {
    const result = await this.deps.store.query<DestructionCertificate & StoreItem>({
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', value: 'CERTIFICATE' },
      descending: true,
      ...page,
    });
    return { ...result, items: result.items.map(strip) };
  }

  /** A stable pseudonym: the same customer always maps to the same reference, which says nothing by itself. */
  private async subjectRef(customerId: string): Promise<string> {
    return createHmac('sha256', await this.deps.keys.indexKey()).update(`subject:${customerId}`).digest('base64url').slice(0, 22);
  }

  private async partition(customerId: string): Promise<Array<{ pk: string; sk: string }>> {
    const keys: Array<{ pk: string; sk: string }> = [];
    let cursor: string | undefined;
    do {
      const page: QueryPage<StoreItem> = await this.deps.store.query<StoreItem>({
        table: T,
        partition: { name: 'pk', value: `CUSTOMER#${customerId}` },
        limit: 500,
        consistent: true,
        ...(cursor ? { cursor } : {}),
      });
      keys.push(...page.items.map((i) => ({ pk: String(i.pk), sk: String(i.sk) })));
      cursor = page.cursor;
    } while (cursor);
    return keys;
  }

  private deleteAll(keys: StoreItem[]): Promise<void> {
    return this.transactInChunks(keys.map((key): Write => ({ op: 'delete', table: T, key })));
  }

  /** Not atomic across chunks, and need not be: each delete can be repeated. */
  private async transactInChunks(writes: Write[]): Promise<void> {
    for (let i = 0; i < writes.length; i += 100) await this.deps.store.transact(writes.slice(i, i + 100));
  }
}

const strip = ({ pk: _p, sk: _s, gsi1pk: _g, gsi1sk: _h, gsi2pk: _i, gsi2sk: _j, ...rest }: DestructionCertificate & StoreItem): DestructionCertificate =>
  rest as unknown as DestructionCertificate;
