import { openJson, sealJson } from '../../platform/crypto/index.js';
import { COMPLAINT_INDEX_ATTRIBUTES, type ComplaintFields, type ComplaintItem, type SealedTexts, type StoredHistoryEntry } from './repository.js';
import type { Complaint } from './types.js';

/**
 * A complaint's personal texts (the customer's words, staff's resolution, reasons, notes) are
 * sealed under the customer's key, each bound to its complaint and field (a text moved to
 * another complaint of the same customer does not open); codes (the root cause among them)
 * stay in the clear.
 */
const field = (id: string, name: string) => `complaint.${id}.${name}`;
const historyField = (id: string, index: number) => `complaint.${id}.history.${index}.reason`;

function sealText(key: Buffer, customerId: string, id: string, name: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : sealJson(key, value, { customerId, field: field(id, name) });
}

const openText = (key: Buffer, customerId: string, id: string, name: string, sealed: string | undefined) =>
  sealed === undefined ? undefined : openJson<string>(key, sealed, { customerId, field: field(id, name) });

const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** The stored form of a complaint. */
export function sealComplaint(key: Buffer, complaint: Complaint, nextCheckAt: string | undefined): ComplaintFields {
  const { subject, description, desiredOutcome, resolution, followUp, history, integrity: _integrity, ...codes } = complaint;
  const { customerId, id } = complaint;
  const sealed: SealedTexts = defined({
    subject: sealText(key, customerId, id, 'subject', subject)!,
    description: sealText(key, customerId, id, 'description', description)!,
    desiredOutcome: sealText(key, customerId, id, 'desiredOutcome', desiredOutcome),
    resolutionSummary: sealText(key, customerId, id, 'resolutionSummary', resolution?.summary),
    followUpNote: sealText(key, customerId, id, 'followUpNote', followUp?.note),
  });
  const storedHistory: StoredHistoryEntry[] = history.map(({ reason, ...entry }, index) =>
    reason === undefined ? entry : { ...entry, sealedReason: sealJson(key, reason, { customerId, field: historyField(id, index) })! },
  );
  const { note: _note, ...followUpCodes } = followUp ?? { note: undefined };
  return {
    ...codes,
    sealed,
    ...(resolution ? { resolution: { rootCause: resolution.rootCause, at: resolution.at } } : {}),
    ...(followUp ? { followUp: followUpCodes as NonNullable<ComplaintFields['followUp']> } : {}),
    history: storedHistory,
    ...(nextCheckAt ? { nextCheckAt } : {}),
  };
}

/** What a stored complaint holds beyond the complaint: its keys, sealed texts, schedule time and index attributes. */
const STORAGE_ONLY = ['pk', 'sk', 'kind', 'sealed', 'nextCheckAt', ...COMPLAINT_INDEX_ATTRIBUTES] as const;

function storedCodes(item: ComplaintItem): Record<string, unknown> {
  const fields = { ...(item as Record<string, unknown>) };
  for (const name of STORAGE_ONLY) delete fields[name];
  return fields;
}

/** The complaint as the API shows it; throws SealError when a sealed text does not open. */
export function openComplaint(key: Buffer, item: ComplaintItem): Complaint {
  const { customerId, id } = item;
  const base = storedCodes(item) as unknown as Omit<Complaint, 'subject' | 'description'>;
  const s = item.sealed;
  const summary = openText(key, customerId, id, 'resolutionSummary', s.resolutionSummary);
  const note = openText(key, customerId, id, 'followUpNote', s.followUpNote);
  const desiredOutcome = openText(key, customerId, id, 'desiredOutcome', s.desiredOutcome);
  return {
    ...base,
    subject: openText(key, customerId, id, 'subject', s.subject)!,
    description: openText(key, customerId, id, 'description', s.description)!,
    ...(desiredOutcome !== undefined ? { desiredOutcome } : {}),
    ...(item.resolution ? { resolution: { summary: summary ?? '', rootCause: item.resolution.rootCause, at: item.resolution.at } } : {}),
    ...(item.followUp ? { followUp: { ...item.followUp, ...(note !== undefined ? { note } : {}) } } : {}),
    history: item.history.map(({ sealedReason, ...entry }, index) =>
      sealedReason === undefined ? entry : { ...entry, reason: openJson<string>(key, sealedReason, { customerId, field: historyField(id, index) })! },
    ),
  };
}

/** The complaint without its texts, for a record whose seal failed: shown marked, not opened. */
export function damagedComplaint(item: ComplaintItem): Complaint {
  const base = storedCodes(item) as unknown as Complaint;
  return {
    ...base,
    subject: '',
    description: '',
    ...(item.resolution ? { resolution: { summary: '', rootCause: item.resolution.rootCause, at: item.resolution.at } } : {}),
    history: item.history.map(({ sealedReason: _r, ...entry }) => entry),
    integrity: 'failed',
  };
}
