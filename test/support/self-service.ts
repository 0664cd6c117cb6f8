import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestApi } from './local-api.js';

/** The messages the local runtime "sent" (its outbox folder), oldest first. */
export const outbox = (target: TestApi) => {
  const folder = join(target.dataDir, 'outbox');
  try {
    return readdirSync(folder).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as { to: string; body: string });
  } catch {
    return [];
  }
};

export const codeFrom = (message: { body: string }) => /\b(\d{6})\b/.exec(message.body)![1]!;

/** A customer token, the way a customer gets one: a code to a contact on file, traded once. */
export async function signIn(target: TestApi, contact: string): Promise<string> {
  const challenge = await target.call('POST', '/v1/self/verification', { body: { contact } });
  const message = outbox(target).at(-1)!;
  const session = await target.call('POST', '/v1/self/session', { body: { challengeId: challenge.body.challengeId, code: codeFrom(message) } });
  return session.body.token as string;
}
