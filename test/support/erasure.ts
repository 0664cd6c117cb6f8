import { scanAll } from './dynamo.js';
import { newCustomer, type TestApi } from './local-api.js';

/**
 * A customer with something in every category (consent, interaction, share) and an
 * identity-verified erase request awaiting the DPO's approval.
 */
export async function customerWithHistory(target: TestApi) {
  const agent = await target.token('agent');
  const dpo = await target.token('dpo');
  const body = newCustomer();
  const { body: customer } = await target.call('POST', '/v1/customers', { token: agent, body });
  await target.call('PUT', '/v1/purposes/marketing', {
    token: dpo,
    body: { name: 'Marketing', description: 'Offers', noticeVersion: 'e1', requiresConsent: true, fields: ['name', 'phones'] },
  });
  await target.call('POST', `/v1/customers/${customer.id}/consents`, {
    token: agent,
    body: { purposeId: 'marketing', action: 'give', channel: 'online-form', noticeVersion: 'e1', evidence: 'form 1' },
  });
  await target.call('POST', `/v1/customers/${customer.id}/interactions`, {
    token: agent,
    body: { channel: 'phone', occurredAt: '2026-11-20T09:00:00.000Z', participants: ['Agent'], summary: 'Wants to leave' },
  });
  await target.call('POST', '/v1/partners', {
    token: dpo,
    body: { id: 'acme', name: 'ACME', agreementRef: 'DSA-1', purposes: ['marketing'], fields: ['name', 'phones'] },
  });
  await target.call('POST', '/v1/shares', {
    token: dpo,
    body: { partnerId: 'acme', purposeId: 'marketing', fields: ['name'], customerIds: [customer.id], legalBasis: 'consent' },
  });
  const request = (
    await target.call('POST', '/v1/requests', {
      token: agent,
      body: { customerId: customer.id, type: 'erase', jurisdiction: 'GDPR', channel: 'email', details: 'Delete everything about me' },
    })
  ).body;
  await target.call('POST', `/v1/requests/${request.id}/transitions`, { token: agent, body: { action: 'verify-identity' } });
  return { customer, body, request, dpo };
}

/** Every raw item of the customer in any table (their partition, their key). */
export const itemsOf = async (target: TestApi, customerId: string) =>
  (await scanAll(target.client, target.prefix)).filter((item) => {
    const pk = (item.pk as { S?: string })?.S ?? '';
    return pk === `CUSTOMER#${customerId}` || pk === customerId;
  });

