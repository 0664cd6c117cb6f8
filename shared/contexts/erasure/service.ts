import type { AuditTrail } from '../../platform/audit/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
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
import { ConditionFailedError, type Clock, type QueryPage, type Store, type StoreItem, type Write } from '../../platform/ports/index.js';
import type { RequestService } from '../requests/index.js';
import { pointerOfSortKey } from '../complaints/index.js';
import { riskFlagPointerOfSortKey } from '../risk-flags/index.js';
import { invitationPointerOfSortKey } from '../surveys/index.js';
import { dataTable, keysTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import { ErasedSubjects, subjectRefOf } from './erased.js';
import { ErasureRunRepository, referenceOf } from './runs.js';
import type { DestructionCertificate, ErasureCause, ErasureRun, ErasureStep } from './types.js';

const T = dataTable.name;
/** Kehu's own actors: a system role, never a staff one (no token can carry it). */
const WORKER = { id: 'erasure-worker', role: 'system' as const };
const SWEEPER = { id: 'retention-sweep', role: 'system' as const };
type WorkerContext = { actor: { id: string; role: 'system'; requestId: string }; purpose: string };
const CATEGORIES = ['profile', 'contacts', 'change-history', 'consents', 'interactions', 'complaints', 'surveys', 'risk-flags', 'request-details', 'data-key'];
/** Where a narrowed erasure's remainder waits in the retention index for its holds to end. */
export const HELD_REMAINDER = 'RETAIN#held-remainder';
/** The sharded listing partition of destruction certificates. */
export const CERTIFICATES = 'CERTIFICATE';

/** The category an item of a customer's partition belongs to, as legal holds name them. */
function categoryOf(sk: string): HoldCategory | undefined {
  if (sk === 'PROFILE') return 'profile';
  if (sk.startsWith('HISTORY#')) return 'change-history';
  if (sk.startsWith('CONSENT#')) return 'consents';
  if (sk.startsWith('INTERACTION#')) return 'interactions';
  if (pointerOfSortKey(sk)) return 'complaints';
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
  private readonly runs: ErasureRunRepository;

  constructor(
    /** `shards`: of the certificate, held-remainder and unfinished-run partitions (INDEX_SHARDS_ERASURES). */
    private readonly deps: { store: Store; keys: DataKeyRing; clock: Clock; audit: AuditTrail; requests: RequestService; shards?: number },
  ) {
    this.runs = new ErasureRunRepository(deps.store, this.shards);
  }

  private get shards(): number {
    return this.deps.shards ?? DEFAULT_INDEX_SHARDS;
  }

  /**
   * Erases a customer for an approved request, or because their record's retention (or the
   * hold over an erasure's remainder) ended: `sweepId` then names the sweep. Answers the
   * certificate, or undefined when there was nothing to do: a legal hold stopped
   * the erasure, or its request was closed already.
   *
   * Its run (see `ErasureRun`) records each step, and leaves the index of unfinished
   * erasures only once the request is closed: an erasure cut short anywhere is seen, and
   * resumed, until then.
   */
  async erase(customerId: string, cause: ErasureCause): Promise<DestructionCertificate | undefined> {
    const requestId = 'requestId' in cause ? cause.requestId : undefined;
    const reference = referenceOf(customerId, cause);
    const certificateKey = { pk: `CERTIFICATE#${reference}`, sk: 'CERTIFICATE' };
    const context: WorkerContext = { actor: { ...WORKER, requestId: reference }, purpose: requestId ? 'erasure' : 'retention' };
    const done = await this.deps.store.get<DestructionCertificate & StoreItem>(T, certificateKey);
    // Certified before a crash: what is left is closing the request.
    if (done) return this.close(strip(done), reference, context);
    const now = this.deps.clock.now();
    // Only an approved erasure request of this very customer destroys anything.
    if (requestId && (await this.deps.requests.erasureState(requestId, customerId)) === 'closed') {
      await this.deps.store.transact([this.runs.remove(reference)]);
      return undefined;
    }

    const profile = await this.deps.store.get<CustomerItem>(T, { pk: `CUSTOMER#${customerId}`, sk: 'PROFILE' });
    const holds = profile ? activeHolds(profile, now) : [];
    // A hold placed after approval or after the sweep still stops destruction.
    const stopping = holds.filter((hold) => !hold.categories);
    if (stopping.length) {
      const reason = `Erasure stopped by legal hold: ${stopping.map(describeHold).join('; ')}`;
      if (requestId) await this.deps.requests.closeBySystem(requestId, context, { action: 'reject', reason });
      await this.deps.store.transact([this.runs.remove(reference)]);
      return undefined;
    }
    const retained = holdCategories.filter((category) => holdsCategory(holds, category));
    // A remainder whose holds have not ended yet: nothing to do until they have.
    if (retained.length && profile?.erasure && profile.erasure.requestId !== reference) return undefined;
    // 1. Hide: from now on the customer is gone for every route. The run is filed in the same
    //    write (a request's run exists since its approval).
    const at = now.toISOString();
    let run: ErasureRun = (await this.runs.find(reference)) ?? { id: reference, customerId, cause, startedAt: at, step: 'approved', progressAt: at, resumes: 0 };
    let hidden = profile;
    if (profile && !profile.erasure) {
      const erasure: ErasureMark = { requestId: reference, startedAt: at, cause, ...(retained.length ? { retained } : {}) };
      hidden = { ...profile, erasure, version: profile.version + 1 };
      run = { ...run, step: 'hidden', progressAt: at };
      await this.deps.store.transact([
        { op: 'put', table: T, item: hidden, condition: { kind: 'version', version: profile.version }, label: 'profile' },
        this.runs.write(run),
      ]);
    } else run = await this.step(run, 'hidden');
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
    // Requests stay (pseudonymous) without the customer's words; the other open ones are closed,
    // since nothing is left to act on (an erasure request among them no longer runs).
    const superseded = await this.deps.requests.closeForErasure(customerId, reference, context);
    if (superseded.length) await this.deps.store.transact(superseded.map((id) => this.runs.remove(id)));
    run = await this.step(run, 'requests-closed');
    const partition = (await this.partition(customerId)).filter((key) => {
      const category = categoryOf(key.sk);
      return !category || !retained.includes(category);
    });
    // A complaint's, a risk flag's and a survey invitation's pointer (id -> customer) sit outside
    // the partition: each goes with its item.
    const pointers = partition.flatMap((k) => pointerOfSortKey(k.sk) ?? riskFlagPointerOfSortKey(k.sk) ?? invitationPointerOfSortKey(k.sk) ?? []);
    await this.deleteAll([...pointers, ...partition.filter((k) => k.sk !== 'PROFILE')], run);
    if (retained.length && hidden?.erasure) {
      return this.narrowed(customerId, { hidden: { ...hidden, erasure: hidden.erasure }, retained, holds, reference, requestId, subjectRef, context });
    }
    await this.deleteAll(partition.filter((k) => k.sk === 'PROFILE'));
    run = await this.step(run, 'items-deleted');
    // 3. Destroy the key: what remains anywhere, backups included, can no longer be opened.
    await this.deps.store.transact([{ op: 'delete', table: keysTable.name, key: { pk: customerId } }]);
    this.deps.keys.forget(customerId);
    run = await this.step(run, 'key-destroyed');
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
      actor: requestId ? WORKER.id : SWEEPER.id,
      at: now.toISOString(),
    };
    await this.certify(certificate, certificateKey, context, customerId);
    return this.close(certificate, reference, context);
  }

  /** The last step, repeated until it holds: the request closed with its outcome, then the run filed away. */
  private async close(certificate: DestructionCertificate, reference: string, context: WorkerContext): Promise<DestructionCertificate> {
    if (certificate.requestId) {
      const outcome = certificate.retained
        ? `erased except what legal holds keep: ${certificate.retained.map(describeHold).join('; ')}; that is erased when the holds end`
        : 'erasure finished';
      await this.deps.requests.closeBySystem(certificate.requestId, context, { action: 'complete', reason: outcome });
    }
    await this.deps.store.transact([this.runs.remove(reference)]);
    return certificate;
  }

  private async step(run: ErasureRun, step: ErasureStep): Promise<ErasureRun> {
    return this.runs.progress(run, step, this.deps.clock.now().toISOString());
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
      context: WorkerContext;
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
    const remainder = { ...base, legalHolds: narrowing, gsi3pk: shardKey(HELD_REMAINDER, customerId, this.shards), gsi3sk: `${lastDay}#${customerId}` };
    await this.deps.store.transact([{ op: 'put', table: T, item: remainder }]);

    const certificate: DestructionCertificate = {
      id: reference,
      subjectRef: run.subjectRef,
      categories: CATEGORIES.filter((category) => category !== 'data-key' && !retained.includes(category as HoldCategory)),
      reason: requestId ? 'request' : 'expiry',
      method: `deletion of every item and index entry not under a legal hold; the data key is kept for what the holds keep until ${lastDay}, then destroyed`,
      ...(requestId ? { requestId } : {}),
      retained: narrowing.map((hold) => ({ categories: hold.categories!, reason: hold.reason, until: hold.until! })),
      actor: requestId ? WORKER.id : SWEEPER.id,
      at: this.deps.clock.now().toISOString(),
    };
    await this.certify(certificate, { pk: `CERTIFICATE#${reference}`, sk: 'CERTIFICATE' }, run.context, customerId);
    return this.close(certificate, reference, run.context);
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
      actor: SWEEPER.id,
      at: this.deps.clock.now().toISOString(),
    };
    await this.certify(certificate, certificateKey, { actor: { ...SWEEPER, requestId: sweepId }, purpose: 'retention' }, customerId);
    return certificate;
  }

  private async certify(
    certificate: DestructionCertificate,
    certificateKey: { pk: string; sk: string },
    context: WorkerContext,
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
            gsi1pk: shardKey(CERTIFICATES, certificate.id, this.shards),
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
  isErased(customerId: string): Promise<boolean> {
    return new ErasedSubjects(this.deps).isErased(customerId);
  }

  async certificates(page: { limit: number; cursor?: string }): Promise<QueryPage<DestructionCertificate>> {
    const result = await querySharded<DestructionCertificate & StoreItem>(this.deps.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: CERTIFICATES, shards: this.shards, legacy: true },
      range: { name: 'gsi1sk' },
      descending: true,
      ...page,
    });
    return { ...result, items: result.items.map(strip) };
  }

  private subjectRef(customerId: string): Promise<string> {
    return subjectRefOf(this.deps.keys, customerId);
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

  /** Not atomic across chunks, and need not be: each delete can be repeated. A run's progress is recorded per chunk. */
  private async deleteAll(keys: StoreItem[], run?: ErasureRun): Promise<void> {
    const writes = keys.map((key): Write => ({ op: 'delete', table: T, key }));
    for (let i = 0; i < writes.length; i += 100) {
      await this.deps.store.transact(writes.slice(i, i + 100));
      if (run && i + 100 < writes.length) await this.runs.progress(run, run.step, this.deps.clock.now().toISOString());
    }
  }
}

const strip = ({ pk: _p, sk: _s, gsi1pk: _g, gsi1sk: _h, gsi2pk: _i, gsi2sk: _j, ...rest }: DestructionCertificate & StoreItem): DestructionCertificate =>
  rest as unknown as DestructionCertificate;
