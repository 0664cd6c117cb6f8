import type { AuditContext, AuditTrail } from '../../platform/audit/index.js';
import type { QueryPage } from '../../platform/ports/index.js';
import type { FindingRepository } from './findings-repository.js';
import type { ListFindingsQuery } from './schemas.js';
import type { Finding } from './types.js';

const DEFAULT_PAGE = 50;

interface FindingServiceDeps {
  findings: Pick<FindingRepository, 'list'>;
  audit: Pick<AuditTrail, 'record'>;
}

/** Findings of unusual access (SEC-6) for the DPO and administrators; each listing is audited. */
export class FindingService {
  constructor(private readonly deps: FindingServiceDeps) {}

  async list(query: ListFindingsQuery, context: AuditContext): Promise<QueryPage<Finding>> {
    const { limit, cursor, ...filters } = query;
    const result = await this.deps.findings.list(filters, { limit: limit ?? DEFAULT_PAGE, ...(cursor ? { cursor } : {}) });
    await this.deps.audit.record(context, [{ action: 'security.findings.read', target: { type: 'finding', id: 'list' } }]);
    return result;
  }
}
