import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { mayProcess, type ConsentReads } from '../consent/index.js';
import { pickFields, viewForFields, type CustomerRepository, type CustomerService } from '../customers/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type QueryPage, type Store, type StoreItem, type Write } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';
import { DEFAULT_INDEX_SHARDS, querySharded, shardKey } from '../../platform/store/sharded.js';
import type { CreatePartnerInput, CreateShareInput } from './schemas.js';
import type { Partner, Share } from './types.js';

const T = dataTable.name;
/** Partners stay under one constant key: a few configuration items, rarely written (docs/scaling.md). */
export const PARTNER_LIST = 'PARTNER';
/** The sharded listing partition of recorded shares, which every share would share. */
export const SHARE_LIST = 'SHARE';
const strip = <T extends StoreItem>({ pk: _p, sk: _s, gsi1pk: _g, gsi1sk: _h, ...rest }: T) => rest;

/**
 * Partners and recorded shares (CON-4): a share names the partner, its agreement, the
 * purpose, the fields, the customers, the legal basis, the time and the actor, and is
 * refused without a valid agreement or without every customer's consent.
 */
export class SharingService {
  constructor(
    /** `shards`: of the share listing partition (INDEX_SHARDS_SHARES). */
    private readonly deps: {
      store: Store;
      clock: Clock;
      audit: AuditTrail;
      consent: ConsentReads;
      customers: CustomerService;
      repository: CustomerRepository;
      shards?: number;
    },
  ) {}

  async createPartner(input: CreatePartnerInput, context: AuditContext): Promise<Partner> {
    await Promise.all(input.purposes.map((id) => this.deps.consent.purpose(id)));
    const partner: Partner = { ...input, fields: [...new Set(input.fields)], createdAt: this.deps.clock.now().toISOString(), createdBy: context.actor.id };
    try {
      await this.deps.audit.commit(context, [{ action: 'partner.create', target: { type: 'partner', id: input.id } }], [
        {
          op: 'put',
          table: T,
          item: { ...partner, pk: `PARTNER#${input.id}`, sk: 'PARTNER', gsi1pk: PARTNER_LIST, gsi1sk: input.id },
          condition: { kind: 'absent' },
          label: 'partner',
        },
      ]);
    } catch (error) {
      if (error instanceof ConditionFailedError) throw new ConflictError('A partner with this id exists.', 'id');
      throw error;
    }
    return partner;
  }

  async partners(): Promise<Partner[]> {
    const page = await this.deps.store.query<StoreItem>({ table: T, index: 'gsi1', partition: { name: 'gsi1pk', value: PARTNER_LIST }, limit: 200 });
    return page.items.map((item) => strip(item) as unknown as Partner);
  }

  /** Records a share and answers the shared fields of each customer, for transfer. */
  async share(input: CreateShareInput, context: AuditContext): Promise<{ share: Share; items: Array<Record<string, unknown>> }> {
    const item = await this.deps.store.get<StoreItem>(T, { pk: `PARTNER#${input.partnerId}`, sk: 'PARTNER' });
    if (!item) throw new NotFoundError('No partner has this id.', 'partnerId');
    const partner = strip(item) as unknown as Partner;
    const now = this.deps.clock.now();
    if (!partner.agreementRef) throw new ConflictError('No data-sharing agreement is recorded for this partner.', 'partnerId');
    if (partner.agreementExpiresOn && partner.agreementExpiresOn < now.toISOString().slice(0, 10)) {
      throw new ConflictError(`The agreement with this partner expired on ${partner.agreementExpiresOn}.`, 'partnerId');
    }
    if (!partner.purposes.includes(input.purposeId)) throw new ForbiddenError('The agreement does not cover this purpose.', 'purposeId');
    const purpose = await this.deps.consent.purpose(input.purposeId);
    const outside = input.fields.findIndex((f) => !partner.fields.includes(f) || !purpose.fields.includes(f));
    if (outside >= 0) throw new ForbiddenError('The agreement or the purpose does not cover this field.', `fields.${outside}`);

    const ids = [...new Set(input.customerIds)];
    const [profiles, consenting] = await Promise.all([this.deps.repository.findMany(ids), this.deps.consent.consenting(ids, purpose)]);
    const usable = new Set(profiles.filter((p) => mayProcess(p, purpose.id)).map((p) => p.id));
    const refused = input.customerIds.findIndex((id) => !usable.has(id) || !consenting.has(id));
    if (refused >= 0) {
      throw new ConflictError('This customer has no current consent for the purpose, restricted processing, objected, or does not exist.', `customerIds.${refused}`);
    }

    const share: Share = {
      id: randomUUID(),
      partnerId: partner.id,
      agreementRef: partner.agreementRef,
      purposeId: purpose.id,
      fields: input.fields,
      customerIds: ids,
      legalBasis: input.legalBasis,
      at: now.toISOString(),
      actor: context.actor.id,
    };
    // Opened before the share is recorded: a damaged record fails the share, not after it.
    const records = await this.deps.customers.present(profiles, viewForFields(input.fields));
    await this.deps.audit.commit(
      context,
      ids.map((id) => ({ action: 'share.create', target: { type: 'customer', id } })),
      [
        { op: 'put', table: T, item: { ...share, pk: `SHARE#${share.id}`, sk: 'SHARE', gsi1pk: shardKey(SHARE_LIST, share.id, this.deps.shards ?? DEFAULT_INDEX_SHARDS), gsi1sk: `${share.at}#${share.id}` }, condition: { kind: 'absent' } },
        // A pointer per customer: their shares are found without reading every share.
        ...ids.map((id): Write => ({ op: 'put', table: T, item: { pk: `CUSTOMER#${id}`, sk: `SHARE#${share.at}#${share.id}`, shareId: share.id } })),
      ],
    );
    return { share, items: records.map((record) => pickFields(record, input.fields)) };
  }

  /** The shares that included a customer, newest first, through their pointers. */
  async sharesOf(customerId: string): Promise<Share[]> {
    const pointers: Array<StoreItem & { shareId: string }> = [];
    let cursor: string | undefined;
    do {
      const page: QueryPage<StoreItem & { shareId: string }> = await this.deps.store.query({
        table: T,
        partition: { name: 'pk', value: `CUSTOMER#${customerId}` },
        range: { name: 'sk', from: 'SHARE#', to: 'SHARE#~' },
        descending: true,
        limit: 500,
        ...(cursor ? { cursor } : {}),
      });
      pointers.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    const items = await this.deps.store.getMany<StoreItem>(T, pointers.map((p) => ({ pk: `SHARE#${p.shareId}`, sk: 'SHARE' })));
    return items.map((i) => strip(i) as unknown as Share).sort((a, b) => b.at.localeCompare(a.at));
  }

  async shares(partnerId: string | undefined, page: { limit?: number; cursor?: string }): Promise<QueryPage<Share>> {
    const result = await querySharded<StoreItem>(this.deps.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: SHARE_LIST, shards: this.deps.shards ?? DEFAULT_INDEX_SHARDS, legacy: true },
      range: { name: 'gsi1sk' },
      descending: true,
      ...(partnerId ? { filters: [{ name: 'partnerId', equals: partnerId }] } : {}),
      limit: page.limit ?? 50,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    return { ...result, items: result.items.map((i) => strip(i) as unknown as Share) };
  }

  /**
   * A partner's shares recorded within a window (inclusive), oldest first: the sort key
   * starts with the share's time, so the window is a key range (an incident's scope).
   */
  async sharesOfPartner(partnerId: string, window: { from: string; to: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<Pick<Share, 'id' | 'customerIds' | 'at'>>> {
    const result = await querySharded<StoreItem>(this.deps.store, {
      table: T,
      index: 'gsi1',
      partition: { name: 'gsi1pk', prefix: SHARE_LIST, shards: this.deps.shards ?? DEFAULT_INDEX_SHARDS, legacy: true },
      range: { name: 'gsi1sk', from: window.from, to: `${window.to}~` },
      filters: [{ name: 'partnerId', equals: partnerId }],
      limit: page.limit,
      ...(page.cursor ? { cursor: page.cursor } : {}),
    });
    return { ...result, items: result.items.map((i) => ({ id: String(i.id), customerIds: (i.customerIds as string[] | undefined) ?? [], at: String(i.at) })) };
  }
}
