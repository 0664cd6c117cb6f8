import { createHmac } from 'node:crypto';
import type { AuditTrail } from '../audit/index.js';
import type { DataKeyRing } from '../crypto/index.js';
import { activeHolds } from '../customers/index.js';
import type { CustomerItem } from '../customers/repository.js';
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
  actor: string;
  at: string;
}

const T = dataTable.name;
const WORKER = { id: 'erasure-worker', role: 'dpo' as const };
const CATEGORIES = ['profile', 'contacts', 'change-history', 'consents', 'interactions', 'request-details', 'data-key'];

/**
 * Erasure by crypto-shredding (DSR-3): hide the record, delete every item of the customer
 * and its uniqueness guards, destroy the data key (so copies in backups can never be
 * opened), then certify. Every step can run again: a retry after a crash at any point
 * finishes the job, and the record is never visible as active in between.
 */
export class ErasureService {
  constructor(
    private readonly deps: { store: Store; keys: DataKeyRing; clock: Clock; audit: AuditTrail; requests: RequestService },
  ) {}

  /**
   * Erases a customer for an approved request, or because their record's retention ended
   * (`sweepId` then names the sweep).
   */
  /** Answers the certificate, or undefined when a legal hold stopped the erasure. */
  async erase(customerId: string, cause: { requestId: string } | { sweepId: string }): Promise<DestructionCertificate | undefined> {
    const requestId = 'requestId' in cause ? cause.requestId : undefined;
    const reference = requestId ?? `${(cause as { sweepId: string }).sweepId}:${customerId}`;
    const certificateKey = { pk: `CERTIFICATE#${reference}`, sk: 'CERTIFICATE' };
    const done = await this.deps.store.get<DestructionCertificate & StoreItem>(T, certificateKey);
    if (done) return strip(done);
    const context = { actor: { ...WORKER, requestId: reference }, purpose: requestId ? 'erasure' : 'retention' };

    const profile = await this.deps.store.get<CustomerItem>(T, { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' });
    // A hold placed after approval or after the sweep still stops destruction.
    if (profile && !profile.erasure && activeHolds(profile, this.deps.clock.now()).length) return undefined;
    // 1. Hide: from now on the customer is gone for every route.
    if (profile && !profile.erasure) {
      const hidden = { ...profile, erasure: { requestId: reference, startedAt: this.deps.clock.now().toISOString() }, version: profile.version + 1 };
      await this.deps.store.transact([{ op: 'put', table: T, item: hidden, condition: { kind: 'version', version: profile.version }, label: 'profile' }]);
    }
    // 2. Delete: guards first (the profile names them), then every item of the customer, the profile last.
    if (profile) {
      const guards = [
        ...profile.emailIndexes.map((i) => ({ pk: `EMAIL#${i}`, sk: 'GUARD' })),
        ...profile.phoneIndexes.map((i) => ({ pk: `PHONE#${i}`, sk: 'GUARD' })),
      ];
      await this.deleteAll(guards);
    }
    // Requests stay (pseudonymous) without the customer's words; found through pointers deleted next.
    await this.stripRequestDetails(customerId);
    const partition = await this.partition(customerId);
    await this.deleteAll(partition.filter((k) => k.sk !== 'PROFILE'));
    await this.deleteAll(partition.filter((k) => k.sk === 'PROFILE'));
    // 3. Destroy the key: what remains anywhere, backups included, can no longer be opened.
    await this.deps.store.transact([{ op: 'delete', table: keysTable.name, key: { pk: customerId } }]);
    this.deps.keys.forget(customerId);
    // 4. Certify, audited in the same transaction; then close the request.
    const certificate: DestructionCertificate = {
      id: reference,
      subjectRef: await this.subjectRef(customerId),
      categories: CATEGORIES,
      reason: requestId ? 'request' : 'expiry',
      method: 'deletion of every item and index entry, then destruction of the customer data key (crypto-shredding)',
      ...(requestId ? { requestId } : {}),
      actor: requestId ? WORKER.id : 'retention-sweep',
      at: this.deps.clock.now().toISOString(),
    };
    await this.certify(certificate, certificateKey, context, customerId);
    if (requestId) await this.deps.requests.completeBySystem(requestId, context);
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

  private async stripRequestDetails(customerId: string): Promise<void> {
    const requests = await this.deps.requests.ofCustomer(customerId);
    const writes: Write[] = requests
      .filter((r) => r.sealedDetails !== undefined)
      .map(({ sealedDetails: _gone, ...rest }) => ({ op: 'put', table: T, item: rest }));
    await this.transactInChunks(writes);
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
