import type { Classification, ProcessingFlags } from '../customers/index.js';
import type { Segment, SegmentSnapshot, SkipReason, SurveyLanguage } from './types.js';

/** The purpose whose consent or lawful basis a survey invitation needs (SAT-2). */
export const SURVEY_PURPOSE = 'survey';
const DAY_MS = 86_400_000;

/** What the audience is decided on: the stored profile's clear fields (no sealed data is opened). */
export interface CandidateProfile extends Classification, ProcessingFlags {
  id: string;
  emailIndexes?: string[];
  phoneIndexes?: string[];
  erasure?: unknown;
}

/** Whether a profile is in the segment; the complaint filter is the source's business, not checked here. */
export function inSegment(profile: CandidateProfile, segment: Segment): boolean {
  if (segment.type !== undefined && profile.type !== segment.type) return false;
  if (segment.region !== undefined && profile.region !== segment.region) return false;
  if (segment.tier !== undefined && profile.tier !== segment.tier) return false;
  if (segment.stage !== undefined && profile.stage !== segment.stage) return false;
  if (segment.tag !== undefined && !(profile.tags ?? []).includes(segment.tag)) return false;
  return true;
}

export interface EligibilityFacts {
  /** The profile; absent when the customer is gone. */
  profile?: CandidateProfile;
  /** Whether the customer's consent or the purpose's lawful basis covers the survey purpose. */
  consenting: boolean;
  /** When the customer was last invited to any survey. */
  lastInvitedAt?: string;
  contactFrequencyDays: number;
  now: Date;
}

/**
 * Why a customer may not be invited, in the order the reasons are counted (one reason
 * each); undefined when they may be. A wave guard (already invited) is checked before.
 */
export function ineligibility(facts: EligibilityFacts): Exclude<SkipReason, 'already-invited' | 'not-sampled'> | undefined {
  const { profile } = facts;
  if (!profile || profile.erasure) return 'erasure';
  if (profile.restricted) return 'restricted';
  if ((profile.objections ?? []).includes(SURVEY_PURPOSE)) return 'objected';
  if (!facts.consenting) return 'no-consent';
  if (facts.lastInvitedAt !== undefined && facts.contactFrequencyDays > 0) {
    if (facts.now.getTime() - Date.parse(facts.lastInvitedAt) < facts.contactFrequencyDays * DAY_MS) return 'recently-invited';
  }
  if (!profile.emailIndexes?.length && !profile.phoneIndexes?.length) return 'no-contact';
  return undefined;
}

/** The invitation's language: the profile's when it is one a survey is written in, else zh-CN. */
export const languageOf = (profile: CandidateProfile): SurveyLanguage => (profile.language === 'en' ? 'en' : 'zh-CN');

/** The channel an invitation goes by: email when the customer has one, else SMS. */
export const channelOf = (profile: CandidateProfile): 'email' | 'sms' => (profile.emailIndexes?.length ? 'email' : 'sms');

export const snapshotOf = (profile: CandidateProfile): SegmentSnapshot => ({ type: profile.type, region: profile.region, tier: profile.tier, stage: profile.stage });
