import type { Migration } from 'kysely';
import * as foundation from './2026-11-22T1000-foundation.js';
import * as surveys from './2026-11-22T1100-surveys.js';
import * as answerTotals from './2026-11-22T1200-answer-totals.js';
import * as revokedInvitations from './2026-11-22T1300-revoked-invitations.js';
import * as rateLimits from './2026-11-30T1000-rate-limits.js';
import * as contactLanguageOptional from './2026-11-30T1100-contact-language-optional.js';
import * as waveIntroAndReopen from './2026-11-30T1200-wave-intro-and-reopen.js';
import * as email from './2026-11-30T1300-email.js';
import * as accountEmails from './2026-11-30T1400-account-emails.js';
import * as responseCounts from './2026-11-30T1500-response-counts.js';
import * as followUp from './2026-11-30T1600-follow-up.js';
import * as overallSatisfaction from './2026-11-30T1700-overall-satisfaction.js';
import * as privacy from './2026-11-30T1800-privacy.js';
import * as confidential from './2026-11-30T1900-confidential.js';
import * as overallAsked from './2026-11-30T2000-overall-asked.js';
import * as reliabilityTotalsOrder from './2026-11-30T2100-reliability-totals-order.js';
import * as criterionTotals from './2026-11-30T2200-criterion-totals.js';
import * as invitationsFillfactor from './2026-12-01T0400-invitations-fillfactor.js';

// Every migration, by name, in the order they run. Add a line per new file; never edit a landed one.
// (An explicit list rather than a folder scan: it works the same under tsx, vitest and compiled JS.)
export const migrations: Record<string, Migration> = {
  '2026-11-22T1000-foundation': foundation,
  '2026-11-22T1100-surveys': surveys,
  '2026-11-22T1200-answer-totals': answerTotals,
  '2026-11-22T1300-revoked-invitations': revokedInvitations,
  '2026-11-30T1000-rate-limits': rateLimits,
  '2026-11-30T1100-contact-language-optional': contactLanguageOptional,
  '2026-11-30T1200-wave-intro-and-reopen': waveIntroAndReopen,
  '2026-11-30T1300-email': email,
  '2026-11-30T1400-account-emails': accountEmails,
  '2026-11-30T1500-response-counts': responseCounts,
  '2026-11-30T1600-follow-up': followUp,
  '2026-11-30T1700-overall-satisfaction': overallSatisfaction,
  '2026-11-30T1800-privacy': privacy,
  '2026-11-30T1900-confidential': confidential,
  '2026-11-30T2000-overall-asked': overallAsked,
  '2026-11-30T2100-reliability-totals-order': reliabilityTotalsOrder,
  '2026-11-30T2200-criterion-totals': criterionTotals,
  '2026-12-01T0400-invitations-fillfactor': invitationsFillfactor,
};
