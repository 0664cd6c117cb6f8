import { randomUUID } from 'node:crypto';
import type { AuditContext, AuditTrail, SubjectResolver } from '../../platform/audit/index.js';
import { openJson, sealJson, SealError, type DataKeyRing } from '../../platform/crypto/index.js';
import { liveProfile } from '../customers/index.js';
import { NotFoundError } from '../../platform/errors/index.js';
import type { Clock, IntegrityFailureHandler, QueryPage, Store } from '../../platform/ports/index.js';
import { InteractionRepository, interactionHash, type InteractionItem } from './repository.js';
import type { CreateInteractionInput } from './schemas.js';
import type { DamagedInteraction, Interaction } from './types.js';

const DEFAULT_PAGE = 25;

/** How audit entries name an interaction: enough to find it by key. */
const subjectId = (item: Pick<InteractionItem, 'customerId' | 'occurredAt' | 'id'>) => `${item.customerId}/${item.occurredAt}/${item.id}`;

/**
 * Interaction records (INT-1 to INT-3): channel, time, place, participants, summary and
 * attachment references; the personal parts sealed like the profile; each record's
 * content hash fixed in its audit entry, so a verification notices any later change.
 */
export class InteractionService {
  constructor(
    private readonly deps: {
      repository: InteractionRepository;
      store: Store;
      keys: DataKeyRing;
      clock: Clock;
      audit: AuditTrail;
      onIntegrityFailure: IntegrityFailureHandler;
    },
  ) {}

  async create(customerId: string, input: CreateInteractionInput, context: AuditContext): Promise<Interaction> {
    await this.requireCustomer(customerId);
    const key = await this.deps.keys.get(customerId);
    const id = randomUUID();
    const seal = (field: string, value: unknown) => sealJson(key, value, { customerId, field: `interaction.${field}` });
    const sealed: InteractionItem['sealed'] = {
      participants: seal('participants', input.participants)!,
      summary: seal('summary', input.summary)!,
      ...(input.place !== undefined ? { place: seal('place', input.place)! } : {}),
      ...(input.attachments?.length ? { attachments: seal('attachments', input.attachments)! } : {}),
    };
    const content = {
      id,
      customerId,
      channel: input.channel,
      occurredAt: input.occurredAt,
      sealed,
      recordedBy: context.actor.id,
      recordedAt: this.deps.clock.now().toISOString(),
    };
    const contentHash = interactionHash(content);
    const item: InteractionItem = {
      ...InteractionRepository.keyOf(customerId, input.occurredAt, id),
      kind: 'interaction',
      ...content,
      contentHash,
      // Retention of interactions runs from when they happened (RET-1).
      ...this.deps.repository.retentionKeys(customerId, input.occurredAt, id),
    };
    await this.deps.audit.commit(
      context,
      [{ action: 'interaction.create', target: { type: 'interaction', id: subjectId(item) }, subjectHash: contentHash }],
      [this.deps.repository.createWrite(item)],
    );
    return this.open(item, key);
  }

  async list(customerId: string, context: AuditContext, page: { limit?: number; cursor?: string }): Promise<QueryPage<Interaction | DamagedInteraction>> {
    await this.requireCustomer(customerId);
    const result = await this.deps.repository.list(customerId, { limit: page.limit ?? DEFAULT_PAGE, ...(page.cursor ? { cursor: page.cursor } : {}) });
    const items = await this.openAll(customerId, result.items);
    await this.deps.audit.record(context, [{ action: 'interaction.list', target: { type: 'customer', id: customerId } }]);
    return result.cursor ? { items, cursor: result.cursor } : { items };
  }

  /**
   * Every interaction of a customer, newest first, up to `max`: for exports. One check of
   * the customer, one key, one audit entry, however many pages.
   */
  async all(customerId: string, context: AuditContext, max: number): Promise<Array<Interaction | DamagedInteraction>> {
    await this.requireCustomer(customerId);
    const items: InteractionItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.deps.repository.list(customerId, { limit: Math.min(500, max - items.length), ...(cursor ? { cursor } : {}) });
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor && items.length < max);
    const opened = await this.openAll(customerId, items);
    await this.deps.audit.record(context, [{ action: 'interaction.list', target: { type: 'customer', id: customerId } }]);
    return opened;
  }

  /** For audit verification: the current content hash of the record an entry names. */
  readonly subject: SubjectResolver = async (targetId) => {
    const [customerId, occurredAt, id] = targetId.split('/');
    if (!customerId || !occurredAt || !id) return undefined;
    const item = await this.deps.repository.find(customerId, occurredAt, id);
    return item ? interactionHash(item) : undefined;
  };

  private async requireCustomer(customerId: string): Promise<void> {
    if (!(await liveProfile(this.deps.store, customerId))) throw new NotFoundError('No customer has this id.', 'id');
  }

  /**
   * Opens each record; one whose sealed content fails its integrity check (or all, when the
   * customer's key is missing) is answered as damaged and reported, the others as they are.
   */
  private async openAll(customerId: string, items: InteractionItem[]): Promise<Array<Interaction | DamagedInteraction>> {
    if (!items.length) return [];
    let key: Buffer | undefined;
    try {
      key = await this.deps.keys.get(customerId);
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
    }
    return items.map((item) => {
      try {
        if (key) return this.open(item, key);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
      }
      this.deps.onIntegrityFailure({ record: 'interaction', customerId });
      return { id: item.id, customerId: item.customerId, occurredAt: item.occurredAt, integrity: 'failed' as const };
    });
  }

  private open(item: InteractionItem, key: Buffer): Interaction {
    const open = <T>(field: string, sealed: string | undefined) =>
      openJson<T>(key, sealed, { customerId: item.customerId, field: `interaction.${field}` });
    const place = open<string>('place', item.sealed.place);
    return {
      id: item.id,
      customerId: item.customerId,
      channel: item.channel,
      occurredAt: item.occurredAt,
      ...(place !== undefined ? { place } : {}),
      participants: open<string[]>('participants', item.sealed.participants) ?? [],
      summary: open<string>('summary', item.sealed.summary) ?? '',
      attachments: open<string[]>('attachments', item.sealed.attachments) ?? [],
      recordedBy: item.recordedBy,
      recordedAt: item.recordedAt,
      contentHash: item.contentHash,
    };
  }
}
