import { createHmac, randomBytes } from 'node:crypto';
import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import { mayProcess, type ConsentReads, type Purpose, type PurposeField } from '../consent/index.js';
import type { DataKeyRing } from '../../platform/crypto/index.js';
import { pickFields, viewForFields, type CustomerRepository, type CustomerService } from '../customers/index.js';
import type { CustomerItem } from '../customers/index.js';
import { ForbiddenError } from '../../platform/errors/index.js';
import type { AnalysisExportInput, MarketingExportInput } from './schemas.js';

type Segment = NonNullable<MarketingExportInput['segment']>;
const classification: PurposeField[] = ['type', 'region', 'tier', 'tags', 'stage', 'consumption'];
const CONSENT_PAGE = 500;
const ANALYSIS_MAX = 10_000;


const inSegment = (item: CustomerItem, segment: Segment = {}) =>
  (segment.type === undefined || item.type === segment.type) &&
  (segment.region === undefined || item.region === segment.region) &&
  (segment.tier === undefined || item.tier === segment.tier) &&
  (segment.stage === undefined || item.stage === segment.stage) &&
  (segment.tag === undefined || item.tags.includes(segment.tag));

/**
 * Purpose-bound use (CON-3, CON-5): exports hold only customers with current consent for
 * the purpose who have not restricted processing or objected to it, and only the fields
 * the purpose may use. Analysis exports carry keyed pseudonyms instead of identities.
 */
export class ExportService {
  constructor(
    private readonly deps: {
      consent: ConsentReads;
      customers: CustomerService;
      repository: CustomerRepository;
      keys: DataKeyRing;
      audit: AuditTrail;
    },
  ) {}

  async marketing(input: MarketingExportInput, context: AuditContext) {
    const purpose = await this.deps.consent.purpose('marketing');
    const fields = input.fields ?? purpose.fields;
    const refused = fields.find((f) => !purpose.fields.includes(f));
    if (refused) throw new ForbiddenError(`The marketing purpose may not use ${refused}.`, 'fields');
    const limit = input.limit ?? 500;
    const { items, cursor } = await this.collect(purpose, input.segment, limit, input.cursor);
    // A record that fails its integrity check is listed as damaged, not left out silently.
    const records = await this.deps.customers.presentPage(items, viewForFields(fields));
    const rows: Array<Record<string, unknown> & { id: string }> = records.map((record) =>
      'integrity' in record ? { id: record.id, integrity: record.integrity } : pickFields(record, fields),
    );
    if (rows.length) await this.deps.audit.record(context, rows.map((r) => ({ action: 'export.marketing', target: { type: 'customer', id: r.id } })));
    return { purposeId: purpose.id, noticeVersion: purpose.noticeVersion, fields, items: rows, ...(cursor ? { cursor } : {}) };
  }

  async analysis(input: AnalysisExportInput, context: AuditContext) {
    const purpose = await this.deps.consent.purpose('analytics');
    const fields = classification.filter((f) => purpose.fields.length === 0 || purpose.fields.includes(f));
    const linkable = input.linkable ?? false;
    // A fresh key per export makes pseudonyms unlinkable across exports; a derived one links them.
    const key = linkable
      ? createHmac('sha256', await this.deps.keys.indexKey()).update(`pseudonym:${purpose.id}`).digest()
      : randomBytes(32);
    const items: CustomerItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.collect(purpose, input.segment, ANALYSIS_MAX - items.length, cursor);
      items.push(...page.items);
      cursor = page.cursor;
    } while (cursor && items.length < ANALYSIS_MAX);
    const rows = items.map(({ id, ...item }) => {
      const { id: _id, ...classified } = pickFields({ ...item, id }, fields);
      return { pseudonym: createHmac('sha256', key).update(id).digest('base64url').slice(0, 22), ...classified };
    });
    await this.deps.audit.record(context, [{ action: linkable ? 'export.analysis.linkable' : 'export.analysis', target: { type: 'purpose', id: purpose.id } }]);
    return { purposeId: purpose.id, linkable, count: rows.length, items: rows };
  }

  /** Consenting, usable customers in the segment, up to `limit`, with a cursor to go on. */
  private async collect(purpose: Purpose, segment: Segment | undefined, limit: number, cursor?: string) {
    const items: CustomerItem[] = [];
    let next = cursor;
    do {
      const page = await this.deps.consent.consentingPage(purpose, { limit: Math.min(CONSENT_PAGE, limit - items.length), ...(next ? { cursor: next } : {}) });
      const profiles = page.items.length ? await this.deps.repository.findMany(page.items) : [];
      items.push(...profiles.filter((p) => mayProcess(p, purpose.id) && inSegment(p, segment)));
      next = page.cursor;
    } while (next && items.length < limit);
    return { items, cursor: next };
  }
}

