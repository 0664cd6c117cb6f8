import type { AuditEntry } from '../../platform/audit/index.js';
import type { QueryPage } from '../../platform/ports/index.js';
import { inSegment, type CandidateProfile, type Segment } from '../surveys/index.js';
import type { ScopeSource } from './types.js';

/** An actor's audit entries within a window (AuditRepository, on the actor index). */
export interface ActorEntries {
  list(by: { actor: string }, window: { from?: string; to?: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<AuditEntry>>;
}

/** A partner's recorded shares within a window (SharingService). */
export interface PartnerShares {
  sharesOfPartner(partnerId: string, window: { from: string; to: string }, page: { limit: number; cursor?: string }): Promise<QueryPage<{ id: string; customerIds: string[]; at: string }>>;
}

/** The customer listing a segment is read from (CustomerRepository): stored profiles, nothing opened. */
export interface SegmentListing {
  list(filters: Array<{ name: string; equals?: string; contains?: string }>, page: { limit: number; cursor?: string }): Promise<QueryPage<CandidateProfile>>;
}

export interface ScopeSources {
  auditEntries: ActorEntries;
  shares: PartnerShares;
  customers: SegmentListing;
}

/** One read of a source: the customers it names (in order, maybe repeated), how many source items were read, where to go on. */
export interface SourcePage {
  customerIds: string[];
  read: number;
  /** Absent when the source is read to its end. */
  cursor?: string;
}

/** Entries, customers or list positions read per page: a page then names at most this many customers. */
export const SOURCE_PAGE = 90;
/**
 * Shares read per page. A share names up to 45 customers (MAX_SHARED_CUSTOMERS), so a page
 * may name more than one transaction can write; the rest is carried to the next pages.
 */
export const SHARES_PAGE = 10;
/** Most customers an explicit list may name: it is stored on the run item. */
export const MAX_EXPLICIT_CUSTOMERS = 1_000;

/** The next page of a run's source after `cursor`. */
export async function readSource(sources: ScopeSources, source: ScopeSource, cursor: string | undefined): Promise<SourcePage> {
  const page = { ...(cursor !== undefined ? { cursor } : {}) };
  switch (source.by) {
    case 'actor': {
      // Every entry by the actor in the window that targets a customer: a read, a change, an
      // export. The customer may have been erased since: their data was read before, so they
      // stay affected (counted with region `unknown`).
      const result = await sources.auditEntries.list({ actor: source.actor }, { from: source.from, to: source.to }, { limit: SOURCE_PAGE, ...page });
      return withCursor(
        result.items.filter((entry) => entry.targetType === 'customer').map((entry) => entry.targetId),
        result.items.length,
        result.cursor,
      );
    }
    case 'partner': {
      const result = await sources.shares.sharesOfPartner(source.partnerId, { from: source.from, to: source.to }, { limit: SHARES_PAGE, ...page });
      return withCursor(
        result.items.flatMap((share) => share.customerIds),
        result.items.length,
        result.cursor,
      );
    }
    case 'segment': {
      // Filtered here rather than in the query: a filtered query reads on until its page is
      // full, which for a rare segment could mean the whole listing in one call.
      const result = await sources.customers.list([], { limit: SOURCE_PAGE, ...page });
      const segment = source.segment as Segment;
      // An erasure under way: the record is gone for every reader, and so are its data.
      const ids = result.items.filter((profile) => !profile.erasure && inSegment(profile, segment)).map((profile) => profile.id);
      return withCursor(ids, result.items.length, result.cursor);
    }
    case 'customers': {
      const from = cursor === undefined ? 0 : Number(cursor);
      const ids = source.customerIds.slice(from, from + SOURCE_PAGE);
      const next = from + ids.length;
      return withCursor(ids, ids.length, next < source.customerIds.length ? String(next) : undefined);
    }
  }
}

const withCursor = (customerIds: string[], read: number, cursor: string | undefined): SourcePage => ({ customerIds, read, ...(cursor !== undefined ? { cursor } : {}) });
