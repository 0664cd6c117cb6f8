import { createHmac, timingSafeEqual } from 'node:crypto';

/** What a link key is derived from: the deployment's index key (never stored in the table). */
export interface LinkKeySource {
  indexKey(): Promise<Buffer>;
}

export interface LinkClaims {
  invitationId: string;
  /** When the link stops working, epoch seconds (the invitation's `expiresAt`). */
  expiresAt: number;
}

const TOKEN = /^v1\.([A-Za-z0-9-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * Signed answer links (SAT-2): `v1.<invitationId>.<expiry epoch s>.<mac>`, the MAC over the
 * survey, invitation and expiry under a key derived from the index key. A link names no
 * customer; its survey is not in it but bound by the MAC, so a link moved to another
 * survey's route fails. Single use comes from the invitation's state, not the link.
 */
export class SurveyLinks {
  private linkKey?: Promise<Buffer>;

  constructor(private readonly keys: LinkKeySource) {}

  async sign(invitation: { id: string; surveyId: string; expiresAt: string }): Promise<string> {
    const exp = Math.floor(Date.parse(invitation.expiresAt) / 1000);
    return `v1.${invitation.id}.${exp}.${await this.mac(invitation.surveyId, invitation.id, exp)}`;
  }

  /** The invitation a well-formed token names, before its MAC is checked (to find the survey it must be bound to). */
  parse(token: string): LinkClaims | undefined {
    const match = TOKEN.exec(token);
    return match ? { invitationId: match[1]!, expiresAt: Number(match[2]) } : undefined;
  }

  /** The token's claims when its MAC holds for this survey (read from the invitation's pointer); undefined otherwise. Expiry is the caller's check. */
  async verify(token: string, surveyIdOfPointer: string): Promise<LinkClaims | undefined> {
    const claims = this.parse(token);
    if (!claims) return undefined;
    const expected = Buffer.from(await this.mac(surveyIdOfPointer, claims.invitationId, claims.expiresAt));
    const given = Buffer.from(token.slice(token.lastIndexOf('.') + 1));
    return given.length === expected.length && timingSafeEqual(given, expected) ? claims : undefined;
  }

  private async mac(surveyId: string, invitationId: string, exp: number): Promise<string> {
    this.linkKey ??= this.keys.indexKey().then(
      (key) => createHmac('sha256', key).update('survey-link').digest(),
      (error: unknown) => {
        // A key service outage now must not fail every later link.
        this.linkKey = undefined;
        throw error;
      },
    );
    return createHmac('sha256', await this.linkKey).update(`survey-link:v1:${surveyId}:${invitationId}:${exp}`).digest('base64url');
  }
}
