import { open, seal } from '../../platform/crypto/index.js';
import type { RequestFields } from './repository.js';
import type { RequestTransition, SubjectRequest } from './types.js';

/**
 * Staff's free text on a request (a transition's reason, the rejection reason, a legal
 * hold quoted in it) may name people: it is stored sealed under the customer's key, like
 * the customer's own words, and bound to its request and place. Texts written after the
 * key is gone (the erasure's own closing) name no one and stay as they are.
 */
export interface StoredTransition extends RequestTransition {
  sealedReason?: string;
}

const reasonField = (requestId: string, index: number) => `request.${requestId}.transition.${index}.reason`;
const rejectionField = (requestId: string) => `request.${requestId}.rejection`;

/** Seals the reasons of the transitions from `from` on, and a rejection reason still in the clear. */
export function sealNewTexts(key: Buffer, request: RequestFields, from: number): RequestFields {
  const { customerId, id } = request;
  const transitions = (request.transitions as StoredTransition[]).map((step, index) => {
    if (index < from || step.reason === undefined) return step;
    const { reason, ...rest } = step;
    return { ...rest, sealedReason: seal(key, reason, { customerId, field: reasonField(id, index) }) };
  });
  const { rejectionReason, ...rest } = request;
  return {
    ...rest,
    transitions,
    ...(rejectionReason !== undefined ? { sealedRejectionReason: seal(key, rejectionReason, { customerId, field: rejectionField(id) }) } : {}),
  };
}

export const hasSealedTexts = (request: RequestFields): boolean =>
  request.sealedRejectionReason !== undefined || (request.transitions as StoredTransition[]).some((step) => step.sealedReason !== undefined);

/** The request with its sealed texts opened; throws SealError when one does not open. */
export function openTexts(key: Buffer, request: SubjectRequest & { sealedRejectionReason?: string }): SubjectRequest {
  const { customerId, id } = request;
  const { sealedRejectionReason, ...rest } = request;
  const transitions = (request.transitions as StoredTransition[]).map(({ sealedReason, ...step }, index) =>
    sealedReason === undefined ? step : { ...step, reason: open(key, sealedReason, { customerId, field: reasonField(id, index) }) },
  );
  return {
    ...rest,
    transitions,
    ...(sealedRejectionReason !== undefined ? { rejectionReason: open(key, sealedRejectionReason, { customerId, field: rejectionField(id) }) } : {}),
  };
}

/** The request without its sealed texts: for the erasure, after which they could never open again. */
export function withoutSealedTexts(request: RequestFields): RequestFields {
  const { sealedRejectionReason: _gone, ...rest } = request;
  return { ...rest, transitions: (request.transitions as StoredTransition[]).map(({ sealedReason: _sealed, ...step }) => step) };
}
