import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import type { CustomerActor } from '../../platform/access/index.js';
import type { AuditDraft } from '../../platform/audit/index.js';
import { blindIndex, type DataKeyRing } from '../../platform/crypto/index.js';
import type { CustomerRepository } from '../customers/index.js';
import { KehuError, UnauthenticatedError, UnavailableError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type Notifier, type Store, type StoreItem } from '../../platform/ports/index.js';
import { dataTable } from '../../platform/store/tables.js';

const T = dataTable.name;
const CODE_TTL_SECONDS = 600;
const MAX_ATTEMPTS = 5;
const SESSION_SECONDS = 15 * 60;
const ISSUER = 'kehu-self-service';

interface ChallengeItem extends StoreItem {
  pk: string;
  sk: 'CHALLENGE';
  customerId: string;
  codeHash: string;
  attempts: number;
  version: number;
  expiresAt: number;
}

/**
 * Who sent a wrong code: not a principal (it proved nothing), only a pseudonym of where it
 * came from. The trail stores the role as it is; the access detector counts by it.
 */
interface SourceContext {
  actor: { id: string; role: string };
  purpose: string;
}

/** The audit action of each rejected code (counted per source and per customer by the access detector). */
export const CODE_REJECTED_ACTION = 'self.code.rejected';

export class TooManyAttemptsError extends KehuError {
  constructor() {
    super('too-many-requests', 'Too many wrong codes: ask for a new one.', 'code');
  }
}

/**
 * Customer self-service sign-in: a one-time code sent to an email or phone already on
 * file, traded for a short-lived token scoped to that customer. Asking for a code answers
 * the same whether the contact is known or not.
 */
export class SelfService {
  constructor(
    private readonly deps: {
      store: Store;
      keys: DataKeyRing;
      clock: Clock;
      notifier: Notifier;
      repository: CustomerRepository;
      audit: { record(context: SourceContext, drafts: AuditDraft[]): Promise<void> };
      /** Told of a code that could not be sent (the answer must not differ: it would reveal the contact). */
      onUndelivered: (error: UnavailableError) => void;
    },
  ) {}

  async requestCode(contact: string): Promise<{ challengeId: string; expiresInSeconds: number }> {
    const challengeId = randomUUID();
    const kind = contact.includes('@') ? 'email' : 'phone';
    const indexKey = await this.deps.keys.indexKey();
    const customer = await this.deps.repository.findByContact(kind, blindIndex(indexKey, kind, contact));
    if (customer && !customer.erasure) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const item: ChallengeItem = {
        pk: `CHALLENGE#${challengeId}`,
        sk: 'CHALLENGE',
        customerId: customer.id,
        codeHash: this.codeHash(indexKey, challengeId, code),
        attempts: 0,
        version: 1,
        expiresAt: Math.floor(this.deps.clock.now().getTime() / 1000) + CODE_TTL_SECONDS,
      };
      await this.deps.store.transact([{ op: 'put', table: T, item, condition: { kind: 'absent' } }]);
      try {
        await this.deps.notifier.send({
          channel: kind === 'email' ? 'email' : 'sms',
          to: contact.trim(),
          subject: 'Your Kehu sign-in code',
          body: `Your code is ${code}. It expires in ${CODE_TTL_SECONDS / 60} minutes. If you did not ask for it, ignore this message.`,
        });
      } catch (error) {
        // A 503 here and a 200 for unknown contacts would tell which contacts exist.
        if (!(error instanceof UnavailableError)) throw error;
        this.deps.onUndelivered(error);
      }
    }
    return { challengeId, expiresInSeconds: CODE_TTL_SECONDS };
  }

  /**
   * Trades a code for a token. Every rejected code is audited (`self.code.rejected`) under a
   * pseudonym of `sourceIp` (the request's address; HMAC under the index key, so the trail
   * holds no address), against the challenge's customer when the challenge exists.
   */
  async createSession(challengeId: string, code: string, sourceIp?: string): Promise<{ token: string; expiresAt: string }> {
    const key = { pk: `CHALLENGE#${challengeId}`, sk: 'CHALLENGE' };
    const challenge = await this.deps.store.get<ChallengeItem>(T, key);
    const now = this.deps.clock.now();
    const indexKey = await this.deps.keys.indexKey();
    const reject = async (error: KehuError): Promise<never> => {
      const target = challenge ? { type: 'customer', id: challenge.customerId } : { type: 'self-service-challenge', id: challengeId };
      await this.deps.audit.record({ actor: { id: sourceId(indexKey, sourceIp), role: 'anonymous' }, purpose: 'self-service' }, [{ action: CODE_REJECTED_ACTION, target }]);
      throw error;
    };
    if (!challenge || challenge.expiresAt * 1000 <= now.getTime()) return reject(wrongCode());
    if (challenge.attempts >= MAX_ATTEMPTS) return reject(new TooManyAttemptsError());
    const expected = Buffer.from(challenge.codeHash, 'base64url');
    const given = Buffer.from(this.codeHash(indexKey, challengeId, code), 'base64url');
    if (!timingSafeEqual(expected, given)) {
      // Count the attempt; a concurrent one counts too (the version condition).
      await this.deps.store
        .transact([
          { op: 'put', table: T, item: { ...challenge, attempts: challenge.attempts + 1, version: challenge.version + 1 }, condition: { kind: 'version', version: challenge.version } },
        ])
        .catch((error: unknown) => {
          if (!(error instanceof ConditionFailedError)) throw error;
        });
      return reject(challenge.attempts + 1 >= MAX_ATTEMPTS ? new TooManyAttemptsError() : wrongCode());
    }
    // One use only: the delete must find the challenge still unused.
    try {
      await this.deps.store.transact([{ op: 'delete', table: T, key, condition: { kind: 'version', version: challenge.version } }]);
    } catch (error) {
      if (error instanceof ConditionFailedError) return reject(wrongCode());
      throw error;
    }
    const expiresAt = new Date(now.getTime() + SESSION_SECONDS * 1000);
    const token = await new SignJWT({ scope: 'customer' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(challenge.customerId)
      .setIssuer(ISSUER)
      .setIssuedAt(Math.floor(now.getTime() / 1000))
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(await this.sessionKey());
    return { token, expiresAt: expiresAt.toISOString() };
  }

  /** The customer a bearer token speaks for, or 401. */
  async authenticate(authorization: string | undefined, requestId?: string): Promise<CustomerActor> {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new UnauthenticatedError('A customer token is required: ask for a code, then trade it for a token.');
    try {
      const { payload } = await jwtVerify(token, await this.sessionKey(), {
        issuer: ISSUER,
        algorithms: ['HS256'],
        currentDate: this.deps.clock.now(),
      });
      if (payload.scope !== 'customer' || !payload.sub) throw new Error('not a customer token');
      return { id: payload.sub, role: 'customer', ...(requestId ? { requestId } : {}) };
    } catch {
      throw new UnauthenticatedError('The customer token is invalid or expired.');
    }
  }

  /** Derived from the deployment's index key: no extra secret to manage. */
  private async sessionKey(): Promise<Uint8Array> {
    return createHmac('sha256', await this.deps.keys.indexKey()).update('kehu:customer-session:v1').digest();
  }

  private codeHash(indexKey: Buffer, challengeId: string, code: string): string {
    return createHmac('sha256', indexKey).update(`otp:${challengeId}:${code}`).digest('base64url');
  }
}

/** `source:<16 hex>`: the same address gives the same id in every process, and no address can be read back from it. */
export function sourceId(indexKey: Buffer, sourceIp: string | undefined): string {
  return `source:${createHmac('sha256', indexKey).update(`kehu:source-ip:v1:${sourceIp ?? 'unknown'}`).digest('hex').slice(0, 16)}`;
}

const wrongCode = () => new KehuError('unauthenticated', 'The code is wrong or expired.', 'code');
