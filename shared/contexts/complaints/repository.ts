import type { QueryPage, Store, StoreItem, Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import { NumberBlocks } from '../customers/index.js';
import { complaintKey, complaintPointerKey, COMPLAINT_SK_PREFIX } from './keys.js';
import { overdueSince } from './milestones.js';
import { formatReference } from './references.js';
import { isOpenComplaint } from './state-machine.js';
import type { Complaint, ComplaintHistoryEntry, ComplaintSeverity, ComplaintStatus } from './types.js';

/** A history entry as stored: its reason sealed. */
export interface StoredHistoryEntry extends Omit<ComplaintHistoryEntry, 'reason'> {
  sealedReason?: string;
}

/** The personal texts of a complaint, each sealed under the customer's key. */
export interface SealedTexts {
  subject: string;
  description: string;
  desiredOutcome?: string;
  resolutionSummary?: string;
  followUpNote?: string;
}

/**
 * A complaint as stored: codes in the clear, texts sealed. `nextCheckAt` is when the schedule
 * must look at it next (milestones.ts), kept with it so the deadline index can be derived here.
 */
export interface ComplaintFields
  extends Omit<Complaint, 'subject' | 'description' | 'desiredOutcome' | 'resolution' | 'followUp' | 'history' | 'integrity'> {
  sealed: SealedTexts;
  /** The root cause is a code of the policies' list: in the clear, like the other codes. */
  resolution?: { rootCause: string; at: string };
  followUp?: Omit<NonNullable<Complaint['followUp']>, 'note'>;
  history: StoredHistoryEntry[];
  nextCheckAt?: string;
}

export interface ComplaintItem extends ComplaintFields, StoreItem {
  pk: string;
  sk: string;
  kind: 'complaint';
}

interface IdempotencyItem extends StoreItem {
  complaintId: string;
  customerId: string;
  requestHash: string;
  expiresAt: number;
}

const idempotencyKey = (scope: string) => ({ pk: `IDEMPOTENCY#${scope}`, sk: 'IDEMPOTENCY' });

interface PointerItem extends StoreItem {
  customerId: string;
  reference: string;
}

export interface ComplaintFilters {
  status?: ComplaintStatus;
  category?: string;
  severity?: ComplaintSeverity;
  department?: string;
  assignee?: string;
  customerId?: string;
}

type Page = { limit: number; cursor?: string };

const T = dataTable.name;
/** The sharded index partitions every complaint (every due, every overdue one; a department's) would share. */
export const COMPLAINT_LIST = 'COMPLAINT';
export const COMPLAINT_DUE = 'COMPLAINT#DUE';
export const COMPLAINT_OVERDUE = 'COMPLAINT#OVERDUE';
/** Closed complaints by when they closed (survey audiences: "complaint closed in the last N days"). */
export const COMPLAINT_CLOSED = 'COMPLAINT#CLOSED';
export const departmentQueue = (department: string) => `COMPLAINT#DEPT#${department}`;
const referenceCounter = (year: string) => ({ pk: `COUNTER#complaint-reference#${year}`, sk: 'COUNTER' });
/** The index attributes of a stored complaint: derived in write() alone, never part of a complaint. */
export const COMPLAINT_INDEX_ATTRIBUTES = ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'] as const;

/** Storage adapter of complaints (CMP-1 to CMP-3). */
export class ComplaintRepository {
  private readonly references = new Map<string, NumberBlocks>();

  /**
   * @param shards shards of the complaint listings (INDEX_SHARDS_COMPLAINTS).
   * @param referenceBlock references reserved per counter update (see NumberBlocks).
   */
  constructor(
    private readonly store: Store,
    readonly shards: number = DEFAULT_INDEX_SHARDS,
    private readonly referenceBlock = 20,
  ) {}

  /** The next reference of the year, `TS-2026-000123`: unique, increasing within an instance's block. */
  async nextReference(year: string): Promise<string> {
    let blocks = this.references.get(year);
    if (!blocks) {
      blocks = new NumberBlocks((size) => this.store.increment(T, referenceCounter(year), 'value', size), this.referenceBlock);
      this.references.set(year, blocks);
    }
    return formatReference(year, await blocks.take());
  }

  find(customerId: string, id: string): Promise<ComplaintItem | undefined> {
    return this.store.get<ComplaintItem>(T, complaintKey(customerId, id));
  }

  pointer(id: string): Promise<PointerItem | undefined> {
    return this.store.get<PointerItem>(T, complaintPointerKey(id));
  }

  /** The pointer of a new complaint, id -> customer: created with it, once. */
  pointerWrite(item: Pick<ComplaintFields, 'id' | 'customerId' | 'reference'>): Write {
    return {
      op: 'put',
      table: T,
      item: { ...complaintPointerKey(item.id), customerId: item.customerId, reference: item.reference },
      condition: { kind: 'absent' },
      label: 'complaint-pointer',
    };
  }

  /** The put of a complaint in its new state, conditional on the version it replaces. */
  write(item: ComplaintFields, expectedVersion?: number): Write {
    // Index keys are derived here alone: a stored item passed back in must not keep its old ones.
    const fields = { ...(item as ComplaintFields & StoreItem) };
    for (const name of COMPLAINT_INDEX_ATTRIBUTES) delete fields[name];
    const open = isOpenComplaint(item.status);
    // Waiting on the customer stays scheduled: nextCheckAt then holds only notice retries and re-publishes.
    const scheduled = open && item.nextCheckAt !== undefined;
    const overdue = open ? overdueSince(item.milestones) : undefined;
    // A closed complaint takes gsi2 for the closed index; reopened, the due index has it back.
    const closedAt = item.status === 'closed' ? closedAtOf(item) : undefined;
    const indexed: ComplaintItem = {
      ...fields,
      ...complaintKey(item.customerId, item.id),
      kind: 'complaint',
      gsi1pk: shardKey(COMPLAINT_LIST, item.id, this.shards),
      gsi1sk: `${item.receivedAt}#${item.id}`,
      ...(scheduled ? { gsi2pk: shardKey(COMPLAINT_DUE, item.id, this.shards), gsi2sk: `${item.nextCheckAt}#${item.id}` } : {}),
      ...(closedAt ? { gsi2pk: shardKey(COMPLAINT_CLOSED, item.id, this.shards), gsi2sk: `${closedAt}#${item.id}` } : {}),
      ...(item.department ? { gsi3pk: shardKey(departmentQueue(item.department), item.id, this.shards), gsi3sk: `${item.receivedAt}#${item.id}` } : {}),
      ...(overdue ? { gsi4pk: shardKey(COMPLAINT_OVERDUE, item.id, this.shards), gsi4sk: `${overdue}#${item.id}` } : {}),
    };
    return {
      op: 'put',
      table: T,
      item: indexed,
      condition: expectedVersion === undefined ? { kind: 'absent' } : { kind: 'version', version: expectedVersion },
      label: 'complaint',
    };
  }

  /** A customer's complaints, in no particular order (base table, their own partition, keyed by a random id). */
  ofCustomer(customerId: string, page: Page, filters: Array<{ name: string; equals: string }> = []): Promise<QueryPage<ComplaintItem>> {
    return this.store.query<ComplaintItem>({
      table: T,
      partition: { name: 'pk', value: complaintKey(customerId, '').pk },
      range: { name: 'sk', from: COMPLAINT_SK_PREFIX, to: `${COMPLAINT_SK_PREFIX}~` },
      filters,
      descending: true,
      ...page,
    });
  }

  /**
   * Complaints, newest first (a customer's in no particular order). A customer's from their
   * partition; a department's from its queue; all others from the listing of every complaint;
   * the remaining criteria filter.
   */
  list(filters: ComplaintFilters, page: Page): Promise<QueryPage<ComplaintItem>> {
    const { customerId, department, ...rest } = filters;
    const equals = Object.entries({ ...rest, ...(customerId && department ? { department } : {}) })
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => ({ name, equals: value as string }));
    if (customerId) return this.ofCustomer(customerId, page, equals);
    return querySharded<ComplaintItem>(this.store, {
      table: T,
      index: department ? 'gsi3' : 'gsi1',
      partition: department ? { name: 'gsi3pk', prefix: departmentQueue(department), shards: this.shards } : { name: 'gsi1pk', prefix: COMPLAINT_LIST, shards: this.shards },
      range: { name: department ? 'gsi3sk' : 'gsi1sk' },
      filters: equals,
      descending: true,
      ...page,
    });
  }

  /** Open complaints with something due on or before `cutoff`, soonest first (the schedule). */
  dueBy(cutoff: string, page: Page, filters: Array<{ name: string; equals: string }> = []): Promise<QueryPage<ComplaintItem>> {
    return querySharded<ComplaintItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: COMPLAINT_DUE, shards: this.shards },
      range: { name: 'gsi2sk', to: `${cutoff}#~` },
      filters,
      ...page,
    });
  }

  /** Complaints closed at or after `from`, oldest first (the closed index). */
  closedSince(from: string, page: Page): Promise<QueryPage<ComplaintItem>> {
    return querySharded<ComplaintItem>(this.store, {
      table: T,
      index: 'gsi2',
      partition: { name: 'gsi2pk', prefix: COMPLAINT_CLOSED, shards: this.shards },
      range: { name: 'gsi2sk', from },
      ...page,
    });
  }

  /**
   * A damaged complaint (its texts fail their check) put back exactly as stored but out of the
   * deadline index, so the schedule stops reading it; conditional on the version read.
   */
  unscheduled(item: ComplaintItem): Write {
    const { gsi2pk: _pk, gsi2sk: _sk, nextCheckAt: _next, ...kept } = item;
    return { op: 'put', table: T, item: kept, condition: { kind: 'version', version: item.version }, label: 'complaint' };
  }

  /** The record of an intake made with an Idempotency-Key (expired ones are not answered). */
  async findIdempotency(scope: string, now: Date): Promise<IdempotencyItem | undefined> {
    const item = await this.store.get<IdempotencyItem>(T, idempotencyKey(scope));
    // DynamoDB deletes expired items only eventually (and DynamoDB Local never): filter.
    return item && item.expiresAt * 1000 > now.getTime() ? item : undefined;
  }

  idempotencyWrite(scope: string, record: Omit<IdempotencyItem, 'pk' | 'sk'>): Write {
    return { op: 'put', table: T, item: { ...idempotencyKey(scope), ...record }, condition: { kind: 'absent' }, label: 'idempotency' };
  }

  /** Open complaints with a missed deadline not yet done, the longest overdue first. */
  overdue(page: Page, filters: Array<{ name: string; equals: string }> = []): Promise<QueryPage<ComplaintItem>> {
    return querySharded<ComplaintItem>(this.store, {
      table: T,
      index: 'gsi4',
      partition: { name: 'gsi4pk', prefix: COMPLAINT_OVERDUE, shards: this.shards },
      range: { name: 'gsi4sk' },
      filters,
      ...page,
    });
  }
}

/** When a closed complaint closed: its last move to `closed` in the history. */
function closedAtOf(item: ComplaintFields): string {
  for (let i = item.history.length - 1; i >= 0; i -= 1) if (item.history[i]!.to === 'closed') return item.history[i]!.at;
  return item.receivedAt;
}
