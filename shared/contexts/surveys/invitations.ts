import { randomUUID } from 'node:crypto';
import type { AuditContext } from '../../platform/audit/index.js';
import { NotFoundError } from '../../platform/errors/index.js';
import { ConditionFailedError, type Clock, type Notifier, type Store } from '../../platform/ports/index.js';
import { customerViews, type CustomerService } from '../customers/index.js';
import type { Purpose } from '../consent/index.js';
import { channelOf, ineligibility, inSegment, languageOf, snapshotOf, type CandidateProfile } from './audience.js';
import { progressCounter, type DispatchFields, type DispatchRepository, type InvitationItem } from './dispatch-repository.js';
import { answerLink, invitationMessage } from './invitation-messages.js';
import { chooses, sampleDraw } from './sampling.js';
import type { Invitation, InvitationFailure, Segment, SkipReason, Survey } from './types.js';

const DAY_MS = 86_400_000;
const SENDER: AuditContext = { actor: { id: 'survey-dispatch', role: 'system' }, purpose: 'survey' };

/** What dispatching needs of the survey definitions (SurveyService). */
export interface SurveyDefinitions {
  definition(id: string, version?: number): Promise<Survey | undefined>;
  published(): Promise<Survey[]>;
  addWave(id: string, wave: string): Promise<unknown>;
}

/** What dispatching needs of the answer links (SurveyLinks): a signed, expiring token of one invitation. */
export interface InvitationLinks {
  sign(invitation: Pick<Invitation, 'id' | 'surveyId' | 'expiresAt'>): string | Promise<string>;
}

/** What dispatching needs of consent (ConsentService). */
export interface SurveyConsent {
  purpose(id: string): Promise<Purpose>;
  consenting(customerIds: string[], purpose: Purpose): Promise<Set<string>>;
}

/** The profiles of candidates (CustomerRepository). */
export interface CandidateProfiles {
  findMany(ids: string[]): Promise<CandidateProfile[]>;
}

export interface InvitationRef {
  invitationId: string;
  customerId: string;
}

/** What one pass over some candidates found: counted skips, eligible ones, the sampling position, invitations to announce. */
export interface CandidateTally {
  skipped: Partial<Record<SkipReason, number>>;
  eligible: number;
  seen: number;
  chosen: number;
  /** Invitations queued by this pass, and earlier ones of this dispatch found still queued. */
  queued: InvitationRef[];
}

export interface MakerDeps {
  store: Store;
  repository: DispatchRepository;
  profiles: CandidateProfiles;
  consent: SurveyConsent;
  clock: Clock;
}

/**
 * The per-candidate decision of a dispatch (SAT-2), the same for a page of a segment and for
 * the one customer a trigger names: already invited to the wave, erasure, restricted,
 * objected, no consent, recently invited, no contact, then the sample; a chosen customer's
 * invitation made in one transaction whose wave guard keeps them to one a wave.
 */
export class InvitationMaker {
  constructor(private readonly deps: MakerDeps) {}

  /**
   * `count`: only how many are eligible (nothing written, nothing counted as skipped).
   * `select`: skips counted by reason, invitations made. `segment` undefined: not filtered.
   */
  async consider(
    dispatch: DispatchFields,
    survey: Survey,
    candidateIds: string[],
    options: { mode: 'count' | 'select'; segment?: Segment; purpose: Purpose },
  ): Promise<CandidateTally> {
    const tally: CandidateTally = { skipped: {}, eligible: 0, seen: dispatch.seen, chosen: dispatch.chosen, queued: [] };
    const ids = [...new Set(candidateIds)];
    if (!ids.length) return tally;
    const profiles = new Map((await this.deps.profiles.findMany(ids)).map((p) => [p.id, p]));
    const inScope = ids.filter((id) => {
      const profile = profiles.get(id);
      return !options.segment || !profile || inSegment(profile, options.segment);
    });
    const live = inScope.filter((id) => profiles.get(id) && !profiles.get(id)!.erasure);
    const [guards, lastInvited, consenting] = await Promise.all([
      this.deps.repository.guards(inScope, dispatch.surveyId, dispatch.wave),
      this.deps.repository.lastInvited(inScope),
      live.length ? this.deps.consent.consenting(live, options.purpose) : Promise.resolve(new Set<string>()),
    ]);
    const now = this.deps.clock.now();
    const skip = (reason: SkipReason) => {
      if (options.mode === 'select') tally.skipped[reason] = (tally.skipped[reason] ?? 0) + 1;
    };
    for (const id of inScope) {
      const guard = guards.get(id);
      if (guard) {
        if (guard.dispatchId !== dispatch.id) skip('already-invited');
        else if (options.mode === 'select') await this.ours(dispatch, id, guard.invitationId, tally);
        continue;
      }
      const profile = profiles.get(id);
      const reason = ineligibility({
        ...(profile ? { profile } : {}),
        consenting: consenting.has(id),
        ...(lastInvited.has(id) ? { lastInvitedAt: lastInvited.get(id)! } : {}),
        contactFrequencyDays: survey.contactFrequencyDays,
        now,
      });
      if (reason) {
        skip(reason);
        continue;
      }
      if (options.mode === 'count') {
        tally.eligible += 1;
        continue;
      }
      if (dispatch.sampleSize !== undefined) {
        const chosen = chooses({ k: dispatch.sampleSize, population: dispatch.eligible ?? 0, seen: tally.seen, chosen: tally.chosen }, sampleDraw(dispatch.id, id));
        tally.seen += 1;
        if (!chosen) {
          skip('not-sampled');
          continue;
        }
      }
      await this.invite(dispatch, survey, profile!, now, tally);
    }
    return tally;
  }

  /** A customer this dispatch invited already (a page read again): counted then; announced again while still queued. */
  private async ours(dispatch: DispatchFields, customerId: string, invitationId: string, tally: CandidateTally): Promise<void> {
    if (dispatch.sampleSize !== undefined) {
      tally.seen += 1;
      tally.chosen += 1;
    }
    const invitation = await this.deps.repository.findInvitation(customerId, invitationId);
    if (invitation?.state === 'queued') tally.queued.push({ invitationId, customerId });
  }

  private async invite(dispatch: DispatchFields, survey: Survey, profile: CandidateProfile, now: Date, tally: CandidateTally): Promise<void> {
    const invitation: Invitation = {
      id: randomUUID(),
      customerId: profile.id,
      surveyId: dispatch.surveyId,
      surveyVersion: dispatch.surveyVersion,
      wave: dispatch.wave,
      dispatchId: dispatch.id,
      language: languageOf(profile),
      channel: channelOf(profile),
      snapshot: snapshotOf(profile),
      state: 'queued',
      attempts: 0,
      queuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + survey.linkValidDays * DAY_MS).toISOString(),
      version: 1,
    };
    try {
      await this.deps.store.transact(this.deps.repository.creationWrites(invitation));
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      // Someone else wrote the guard first: theirs, or this dispatch's own page run twice at once.
      const guard = await this.deps.repository.guard(profile.id, dispatch.surveyId, dispatch.wave);
      if (guard && guard.dispatchId === dispatch.id) {
        tally.chosen += dispatch.sampleSize !== undefined ? 1 : 0;
        return;
      }
      tally.skipped['already-invited'] = (tally.skipped['already-invited'] ?? 0) + 1;
      return;
    }
    if (dispatch.sampleSize !== undefined) tally.chosen += 1;
    tally.queued.push({ invitationId: invitation.id, customerId: invitation.customerId });
  }
}

export interface SenderDeps {
  store: Store;
  repository: DispatchRepository;
  definitions: Pick<SurveyDefinitions, 'definition'>;
  links: InvitationLinks;
  customers: Pick<CustomerService, 'get'>;
  notifier: Notifier;
  clock: Clock;
  /** Where answer links point (config `surveyLinkBase`). */
  linkBase: string;
}

export type DeliveryOutcome = 'sent' | 'missing' | 'done' | 'interrupted' | 'no-contact' | 'erased';

/** The invitation could not be sent this time: the message is retried (or, at its last receive, the invitation failed). */
export class InvitationNotSentError extends Error {
  constructor(
    readonly invitationId: string,
    readonly final: boolean,
    cause: unknown,
  ) {
    super(`Invitation ${invitationId} not sent (${(cause as Error | undefined)?.name ?? 'Error'})${final ? '; counted as failed' : '; retried'}.`);
    this.name = 'InvitationNotSentError';
  }
}

/**
 * Sends queued invitations (the survey-dispatch queue's consumer), each at most once: the
 * claim (queued → sending) is conditional on the version read, so a redelivered or
 * concurrent message finds it taken; one found `sending` was interrupted after its claim
 * and may have gone out, so it is failed rather than sent again.
 */
export class InvitationSender {
  constructor(private readonly deps: SenderDeps) {}

  async deliver(ref: InvitationRef, delivery: { receive: number; maxReceives: number }): Promise<DeliveryOutcome> {
    const found = await this.deps.repository.findInvitation(ref.customerId, ref.invitationId);
    if (!found) return 'missing';
    if (found.state === 'sending') return (await this.fail(found, 'interrupted')) ? 'interrupted' : 'done';
    if (found.state !== 'queued') return 'done';
    const claimed: InvitationItem = { ...found, state: 'sending', attempts: found.attempts + 1, version: found.version + 1 };
    try {
      await this.deps.store.transact([this.deps.repository.invitationWrite(claimed, found.version)]);
    } catch (error) {
      if (error instanceof ConditionFailedError) return 'done';
      throw error;
    }
    let address: { channel: 'email' | 'sms'; to: string } | undefined;
    try {
      address = await this.addressOf(claimed);
    } catch (error) {
      if (!(error instanceof NotFoundError)) return this.retryOrFail(claimed, delivery, error);
      await this.fail(claimed, 'erased');
      return 'erased';
    }
    if (!address) {
      await this.fail(claimed, 'no-contact');
      return 'no-contact';
    }
    try {
      const survey = await this.deps.definitions.definition(claimed.surveyId, claimed.surveyVersion);
      if (!survey) throw new NotFoundError('The survey of this invitation is gone.', 'surveyId');
      const token = await this.deps.links.sign(claimed);
      const message = invitationMessage({ ...claimed, channel: address.channel }, survey.title, answerLink(this.deps.linkBase, token));
      await this.deps.notifier.send({ channel: address.channel, to: address.to, ...message });
    } catch (error) {
      return this.retryOrFail(claimed, delivery, error);
    }
    const sent: InvitationItem = { ...claimed, state: 'sent', sentAt: this.deps.clock.now().toISOString(), version: claimed.version + 1 };
    await this.deps.store.transact([
      this.deps.repository.invitationWrite(sent, claimed.version),
      this.deps.repository.progressAdd(sent.dispatchId, sent.id, { [progressCounter.queued]: -1, [progressCounter.sent]: 1 }),
    ]);
    return 'sent';
  }

  /** Not sent: at the last receive the invitation fails (counted), else it is queued again; either way the message fails. */
  private async retryOrFail(claimed: InvitationItem, delivery: { receive: number; maxReceives: number }, cause: unknown): Promise<never> {
    const final = delivery.receive >= delivery.maxReceives;
    if (final) await this.fail(claimed, 'notifier');
    else await this.deps.store.transact([this.deps.repository.invitationWrite({ ...claimed, state: 'queued', version: claimed.version + 1 }, claimed.version)]);
    throw new InvitationNotSentError(claimed.id, final, cause);
  }

  /** Marks the invitation failed with its progress moved from queued to failed, once (false when it changed meanwhile). */
  private async fail(invitation: InvitationItem, failure: InvitationFailure): Promise<boolean> {
    const failed: InvitationItem = { ...invitation, state: 'failed', failure, version: invitation.version + 1 };
    try {
      await this.deps.store.transact([
        this.deps.repository.invitationWrite(failed, invitation.version),
        this.deps.repository.progressAdd(failed.dispatchId, failed.id, { [progressCounter.queued]: -1, [progressCounter.failed]: 1 }),
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailedError) return false;
      throw error;
    }
  }

  /** The channel's first contact (the other channel when it has none), as ComplaintService finds a notice's address. */
  private async addressOf(invitation: Invitation): Promise<{ channel: 'email' | 'sms'; to: string } | undefined> {
    const record = await this.deps.customers.get(invitation.customerId, SENDER, customerViews.dpo.contact!);
    const email = record.emails?.[0];
    const phone = record.phones?.[0];
    if (invitation.channel === 'email' && email) return { channel: 'email', to: email };
    if (phone) return { channel: 'sms', to: phone };
    if (email) return { channel: 'email', to: email };
    return undefined;
  }
}
