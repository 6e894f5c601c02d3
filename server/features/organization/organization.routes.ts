import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addMessages } from '../../lib/i18n.js';
import { fieldErrors, singleLine } from '../../lib/validation.js';
import { principalOf } from '../../plugins/auth.js';

addMessages({
  nb: {
    'organization.title': 'Organisasjon',
    'organization.threshold': 'Terskel for få svar (n)',
    'organization.thresholdHint':
      'Rapporter markerer resultater med færre svar enn dette som usikre. Vanlig i KAM: 5.',
    'organization.saved': 'Lagret.',
    'organization.retention': 'Lagringstid for personopplysninger (dager etter at en bølge er lukket)',
    'organization.retentionHint':
      'Etter så mange dager anonymiseres bølgens invitasjoner (navn, e-post, lenke) og kommentarenes kobling til kunden; svarene og tallene blir værende. Tomt: beholdes til de slettes. 30–3650 dager.',
    'organization.minGroupSize': 'Minste gruppestørrelse',
    'organization.minGroupSizeHint':
      'I konfidensielle undersøkelser vises kundenes tall og kommentarer bare for utvalg med minst så mange svar, og kundene blir lovet det. 1–50, vanlig: 3. En lavere verdi svekker løftet til dem som allerede har fått undersøkelsen.',
    'organization.privacyContact': 'Kontakt for personvern (valgfri)',
    'organization.privacyContactHint':
      'Hvem svarpersonene kan kontakte for å se eller slette opplysningene sine: en e-postadresse eller en kort linje (3–254 tegn). Står i skjemaet og i e-postene. Tomt: «kontakt {supplier}».',
  },
  en: {
    'organization.title': 'Organisation',
    'organization.threshold': 'Small-sample threshold (n)',
    'organization.thresholdHint':
      'Reports mark results with fewer answers than this as uncertain. Common in KAM: 5.',
    'organization.saved': 'Saved.',
    'organization.retention': 'Retention of personal data (days after a wave closes)',
    'organization.retentionHint':
      "After this many days the wave's invitations (names, emails, links) and its comments' link to the account are anonymised; the answers and the numbers stay. Empty: kept until erased. 30–3650 days.",
    'organization.minGroupSize': 'Minimum group size',
    'organization.minGroupSizeHint':
      "In confidential waves, customers' figures and comments are shown only for cuts with at least this many answers, and customers are promised so. 1–50, common: 3. A lower value weakens the promise to those who have already received a wave.",
    'organization.privacyContact': 'Privacy contact (optional)',
    'organization.privacyContactHint':
      'Whom respondents contact to see or erase their data: an email address or a short line (3–254 characters). Shown on the form and in the emails. Empty: "contact {supplier}".',
  },
});

const settingsBody = z.object({
  name: singleLine(200),
  threshold: z.coerce.number().int('Whole numbers only').min(1, 'At least 1').max(1000, 'At most 1000'),
  // Empty: personal data is kept until erased. At least 30 days: a wave can be reopened for 30 days.
  // Left out of the form altogether: unchanged.
  retentionDays: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
    z.coerce
      .number('Whole numbers only')
      .int('Whole numbers only')
      .min(30, 'At least 30')
      .max(3650, 'At most 3650')
      .nullable()
      .optional(),
  ),
  // k, 1–50 (a database constraint too). Left out of the form altogether: unchanged; empty: required.
  minGroupSize: z
    .string('Whole numbers only')
    .trim()
    .min(1, 'Required')
    .transform(Number)
    .pipe(z.number('Whole numbers only').int('Whole numbers only').min(1, 'At least 1').max(50, 'At most 50'))
    .optional(),
  // An address or a short line; empty: none (null). Left out of the form altogether: unchanged.
  privacyContact: z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
    singleLine(254)
      .refine((value) => value.length >= 3, 'At least 3 characters')
      .nullable()
      .optional(),
  ),
});

/**
 * The organisation's own settings (admins): its name, the report's small-sample threshold, the retention of
 * personal data, and what respondents are promised: k (confidential waves) and the privacy contact.
 */
export default async function organizationRoutes(app: FastifyInstance) {
  const adminOnly = { preHandler: app.requireRole('admin') };

  const load = (organizationId: string) =>
    app.db
      .selectFrom('organizations')
      .select([
        'name',
        'small_sample_threshold as threshold',
        'retention_days as retentionDays',
        'min_group_size as minGroupSize',
        'privacy_contact as privacyContact',
      ])
      .where('id', '=', organizationId)
      .executeTakeFirstOrThrow();

  app.get('/settings/organization', adminOnly, async (request, reply) => {
    const values = await load(principalOf(request).organizationId);
    const saved = (request.query as { saved?: string }).saved === '1';
    return reply.render('organization/settings', { values, errors: {}, saved });
  });

  app.post('/settings/organization', adminOnly, async (request, reply) => {
    const parsed = settingsBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      return reply.render(
        'organization/settings',
        { values: request.body, errors: fieldErrors(parsed.error) },
        400,
      );
    }
    await app.db
      .updateTable('organizations')
      .set({
        name: parsed.data.name,
        small_sample_threshold: parsed.data.threshold,
        ...(parsed.data.retentionDays === undefined ? {} : { retention_days: parsed.data.retentionDays }),
        ...(parsed.data.minGroupSize === undefined ? {} : { min_group_size: parsed.data.minGroupSize }),
        ...(parsed.data.privacyContact === undefined ? {} : { privacy_contact: parsed.data.privacyContact }),
      })
      .where('id', '=', principalOf(request).organizationId)
      .execute();
    return reply.redirect('/settings/organization?saved=1', 303);
  });
}
