import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Language } from '../../db/database.js';
import { formatDeadline } from '../../lib/dates.js';
import { isRoleAddress } from '../../lib/email.js';
import { badRequest, HttpError, notFound } from '../../lib/errors.js';
import { translate } from '../../lib/i18n.js';
import { fieldErrors, fieldList } from '../../lib/validation.js';
import { API_ROUTE, principalOf } from '../../plugins/auth.js';
import { listAccounts } from '../accounts/accounts.queries.js';
import { listActiveCriteria } from '../criteria/criteria.queries.js';
import { latestMessagePerInvitation, optedOutAmong } from '../email/email.queries.js';
import { queueInvitationEmails } from '../email/email.service.js';
import { findPrivacyPromise } from '../organization/organization.queries.js';
import '../email/email.messages.js';
import { countResponses } from '../reports/report.queries.js';
import { linkKey, newToken, respondentUrl, tokenFor } from './invitation-links.js';
import { listContactsForWave, listUsersForWave } from './invitations.queries.js';
import { createInvitations, InvitationProblems } from './invitations.service.js';
import './invitations.messages.js';
import './surveys.messages.js';
import './wave.messages.js';
import {
  findSuccessor,
  findSurvey,
  type InvitationStatus,
  insertSurvey,
  listInvitations,
  listSurveyCriteria,
  listSurveys,
  renewInvitationToken,
  revokeInvitation,
  setCrosshair,
  setIntro,
  transitionSurvey,
} from './surveys.queries.js';
import {
  copySurveyBody,
  createInvitationsBody,
  createSurveyBody,
  INTRO_MAX,
  type InvitationInput,
  introForm,
  invitationInput,
  invitationParams,
  newSurveyForm,
  pickForm,
  pickQuery,
  surveyParams,
} from './surveys.schemas.js';
import {
  closeWave,
  countUnsubmitted,
  REOPEN_WINDOW_DAYS,
  reopenableUntil,
  reopenWave,
} from './wave-closing.service.js';
import { copyWave, type LeftOutCriterion, notAskedAgain } from './wave-copy.service.js';
import './wave-copy.messages.js';

function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw badRequest('Invalid request', fieldList(parsed.error));
  return parsed.data;
}

/** "Name <address>" or a bare address; a line is at most 500 characters (see the form's schema). */
export function splitAddress(line: string): { name: string | undefined; email: string } {
  const open = line.lastIndexOf('<');
  if (open < 0 || !line.endsWith('>')) return { name: undefined, email: line };
  return { name: line.slice(0, open).trim() || undefined, email: line.slice(open + 1, -1).trim() };
}

/**
 * A close date picked on the page is the end of that day in Norway, where the product's users are — not in
 * the server's time zone (UTC in the container).
 */
export function endOfDayInOslo(date: string): Date {
  const utc = new Date(`${date}T23:59:59.999Z`);
  const zone = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', timeZoneName: 'shortOffset' })
    .formatToParts(utc)
    .find((part) => part.type === 'timeZoneName')?.value;
  const hours = Number(/GMT([+-]\d+)/.exec(zone ?? '')?.[1] ?? 0);
  return new Date(utc.getTime() - hours * 3600 * 1000);
}

export default async function surveysRoutes(app: FastifyInstance) {
  const key = linkKey(app.config.sessionSecret);
  const managers = { preHandler: app.requireRole('admin', 'manager') };
  const anyone = { preHandler: app.requireRole() };

  /** k, shown beside the confidential-mode choice and on the wave page. */
  const minGroupSizeOf = async (organizationId: string) =>
    (await findPrivacyPromise(app.db, organizationId)).minGroupSize;

  /** One email per invitation of an open wave that has none yet (a no-op for a draft wave). */
  const queueEmails = (organizationId: string, surveyId: string) =>
    queueInvitationEmails(app.db, app.mail.boss, { organizationId, surveyId });

  async function surveyOf(request: FastifyRequest) {
    const parsed = surveyParams.safeParse(request.params);
    if (!parsed.success) throw notFound();
    const survey = await findSurvey(app.db, principalOf(request).organizationId, parsed.data.id);
    if (!survey) throw notFound();
    return survey;
  }

  async function surveyJson(organizationId: string, surveyId: string) {
    const survey = await findSurvey(app.db, organizationId, surveyId);
    if (!survey) throw notFound();
    const criteria = await listSurveyCriteria(app.db, organizationId, surveyId);
    const label = (c: { labelNb: string; labelEn: string }) =>
      survey.language === 'en' ? c.labelEn : c.labelNb;
    return {
      id: survey.id,
      name: survey.name,
      status: survey.status,
      language: survey.language,
      closesAt: survey.closesAt,
      closedAt: survey.closedAt,
      reopenableUntil: reopenableUntil(survey),
      intro: survey.intro,
      overallQuestion: survey.overallQuestion,
      confidential: survey.confidential,
      previousSurveyId: survey.previousSurveyId,
      criteria: criteria.map((c) => ({ id: c.id, key: c.key, label: label(c), audience: c.audience })),
      counts: await countResponses(app.db, organizationId, surveyId),
    };
  }

  /** An invitation as the API shows it: the copy's answer and the wave's listing share this shape. */
  const invitationJson = (invitation: {
    id: string;
    role: string;
    email: string;
    name: string | null;
    language: Language;
    accountId: string | null;
    contactId: string | null;
    userId: string | null;
    status: InvitationStatus;
    url: string | null;
  }) => ({
    id: invitation.id,
    role: invitation.role,
    email: invitation.email,
    name: invitation.name,
    language: invitation.language,
    accountId: invitation.accountId,
    contactId: invitation.contactId,
    userId: invitation.userId,
    status: invitation.status,
    url: invitation.url,
  });

  /** A wave's invitations with their links rebuilt from the stored salts; a revoked or erased one has none. */
  async function invitationsWithLinks(organizationId: string, surveyId: string) {
    const invitations = await listInvitations(app.db, organizationId, surveyId);
    return invitations.map(({ tokenSalt, ...invitation }) => ({
      ...invitation,
      url:
        invitation.status === 'revoked' || invitation.status === 'erased'
          ? null
          : respondentUrl(app.config.publicUrl, tokenFor(key, tokenSalt)),
    }));
  }

  /** Copies the wave for "Run again" (API and page): the wave's language names the copy. */
  const copyOf = (organizationId: string, surveyId: string, name?: string) =>
    copyWave(app.db, { organizationId, linkKey: key, publicUrl: app.config.publicUrl }, surveyId, {
      name,
      suffixFor: (language) => translate(language, 'copy.nameSuffix'),
    });

  // ---- JSON API -------------------------------------------------------------------------------

  app.post('/api/v1/surveys', { ...managers, config: API_ROUTE }, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const body = parseOr400(createSurveyBody, request.body);
    const criteria = body.criteria
      ? body.criteria.map((c) => ({
          criterionId: null,
          key: c.key ?? null,
          labelNb: c.label,
          labelEn: c.label,
          audience: c.audience,
        }))
      : (await listActiveCriteria(app.db, organizationId)).map((c) => ({
          criterionId: c.id,
          key: c.key,
          labelNb: c.labelNb,
          labelEn: c.labelEn,
          audience: c.audience,
        }));
    if (criteria.length === 0)
      throw badRequest('The criteria library is empty', [{ field: 'criteria', message: 'Required' }]);
    const id = await insertSurvey(
      app.db,
      organizationId,
      {
        name: body.name,
        language: body.language,
        closesAt: body.closesAt ? new Date(body.closesAt) : null,
        intro: body.intro ?? null,
        overallQuestion: body.overallQuestion,
        confidential: body.confidential,
      },
      criteria,
    );
    const { counts: _counts, ...survey } = await surveyJson(organizationId, id);
    return reply.code(201).send(survey);
  });

  app.get('/api/v1/surveys/:id', { ...managers, config: API_ROUTE }, async (request) => {
    const { organizationId } = principalOf(request);
    return surveyJson(organizationId, (await surveyOf(request)).id);
  });

  app.post('/api/v1/surveys/:id/invitations', { ...managers, config: API_ROUTE }, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    if (survey.status === 'closed') throw badRequest('The wave is closed');
    const body = parseOr400(createInvitationsBody, request.body);
    const invitations = await createInvitations(
      app.db,
      {
        organizationId,
        surveyId: survey.id,
        surveyLanguage: survey.language,
        linkKey: key,
        publicUrl: app.config.publicUrl,
      },
      body.invitations,
    );
    await queueEmails(organizationId, survey.id);
    return reply.code(201).send({ invitations });
  });

  app.get('/api/v1/surveys/:id/invitations', { ...managers, config: API_ROUTE }, async (request) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    const invitations = await invitationsWithLinks(organizationId, survey.id);
    return { invitations: invitations.map(invitationJson) };
  });

  app.post('/api/v1/surveys/:id/copy', { ...managers, config: API_ROUTE }, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const source = await surveyOf(request);
    const body = parseOr400(copySurveyBody, request.body);
    const result = await copyOf(organizationId, source.id, body.name);
    if (result.outcome === 'notFound') throw notFound();
    if (result.outcome === 'alreadyFollowedUp') {
      // Sent here rather than thrown: the error carries the successor's id, which HttpError has no room for.
      return reply.code(409).send({
        error: {
          code: 'ALREADY_FOLLOWED_UP',
          message: 'The wave has already been run again; a wave has at most one successor',
          successorId: result.successorId,
        },
      });
    }
    if (result.outcome === 'noActiveCriteria') {
      throw new HttpError(
        409,
        'NO_ACTIVE_CRITERIA',
        'Every criterion of the wave has been retired from the library; there is nothing to ask again',
      );
    }
    const { counts: _counts, ...survey } = await surveyJson(organizationId, result.surveyId);
    const label = (c: LeftOutCriterion) => (survey.language === 'en' ? c.labelEn : c.labelNb);
    return reply.code(201).send({
      ...survey,
      invitations: result.invitations.map((invitation) =>
        invitationJson({ ...invitation, status: 'not_opened' }),
      ),
      leftOut: result.leftOut.map((c) => ({ key: c.key, label: label(c) })),
      skipped: result.skipped,
    });
  });

  app.post('/api/v1/surveys/:id/open', { ...managers, config: API_ROUTE }, async (request) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    if (!(await transitionSurvey(app.db, organizationId, survey.id, 'open')) && survey.status !== 'open') {
      throw badRequest(`A ${survey.status} wave cannot be opened`);
    }
    await queueEmails(organizationId, survey.id);
    const after = await findSurvey(app.db, organizationId, survey.id);
    return { id: survey.id, status: after?.status };
  });

  // The API closes without the page's confirmation step: calling is the confirmation.
  app.post('/api/v1/surveys/:id/close', { ...managers, config: API_ROUTE }, async (request) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    const result = await closeWave(app.db, organizationId, survey.id);
    if (result === 'notFound') throw notFound();
    if (result === 'notOpen')
      throw new HttpError(409, 'SURVEY_NOT_OPEN', 'A draft wave cannot be closed; open it first');
    if (result === 'alreadyClosed')
      throw new HttpError(409, 'SURVEY_ALREADY_CLOSED', 'The wave is already closed');
    return { id: survey.id, status: 'closed' };
  });

  app.post('/api/v1/surveys/:id/reopen', { ...managers, config: API_ROUTE }, async (request) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    const result = await reopenWave(app.db, organizationId, survey.id);
    if (result === 'notFound') throw notFound();
    if (result === 'notClosed')
      throw new HttpError(409, 'SURVEY_NOT_CLOSED', `A ${survey.status} wave cannot be reopened`);
    if (result === 'windowPassed') {
      throw new HttpError(
        409,
        'REOPEN_WINDOW_PASSED',
        `The wave closed more than ${REOPEN_WINDOW_DAYS} days ago; its results are final and it cannot be reopened`,
      );
    }
    return { id: survey.id, status: 'open' };
  });

  // ---- Pages ----------------------------------------------------------------------------------

  app.get('/surveys', anyone, async (request, reply) => {
    const surveys = await listSurveys(app.db, principalOf(request).organizationId);
    // The overall satisfaction question and confidential mode are on unless unticked.
    return reply.render('surveys/list', {
      surveys,
      values: { overallQuestion: 'on', confidential: 'on' },
      errors: {},
      minGroupSize: await minGroupSizeOf(principalOf(request).organizationId),
    });
  });

  app.post('/surveys', managers, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const parsed = newSurveyForm.safeParse(request.body ?? {});
    if (!parsed.success) {
      const surveys = await listSurveys(app.db, organizationId);
      return reply.render(
        'surveys/list',
        {
          surveys,
          values: request.body,
          errors: fieldErrors(parsed.error),
          minGroupSize: await minGroupSizeOf(organizationId),
        },
        400,
      );
    }
    const criteria = (await listActiveCriteria(app.db, organizationId)).map((c) => ({
      criterionId: c.id,
      key: c.key,
      labelNb: c.labelNb,
      labelEn: c.labelEn,
      audience: c.audience,
    }));
    if (criteria.length === 0) {
      const surveys = await listSurveys(app.db, organizationId);
      const errors = { name: translate(request.lang, 'surveys.emptyLibrary') };
      const minGroupSize = await minGroupSizeOf(organizationId);
      return reply.render('surveys/list', { surveys, values: request.body, errors, minGroupSize }, 400);
    }
    const id = await insertSurvey(
      app.db,
      organizationId,
      {
        name: parsed.data.name,
        language: parsed.data.language,
        closesAt: parsed.data.closesAt ? endOfDayInOslo(parsed.data.closesAt) : null,
        overallQuestion: parsed.data.overallQuestion,
        confidential: parsed.data.confidential,
      },
      criteria,
    );
    return reply.redirect(`/surveys/${id}`, 303);
  });

  /** A closed wave's reopen deadline for the page, and whether it is still ahead. */
  function reopenState(
    request: FastifyRequest,
    survey: { status: string; closedAt: Date | null; closesAt: Date | null },
  ) {
    const until = reopenableUntil(survey);
    return {
      reopenDays: REOPEN_WINDOW_DAYS,
      reopenableUntil: until ? formatDeadline(request.lang, until) : null,
      canReopen: until !== null && until.getTime() > Date.now(),
    };
  }

  /** The wave page's data: criteria, invitations with their links and statuses, response rates. */
  async function surveyPageData(request: FastifyRequest, extra: Record<string, unknown> = {}) {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    const [criteria, invitations, counts, accounts, users, emails, previous, next] = await Promise.all([
      listSurveyCriteria(app.db, organizationId, survey.id),
      invitationsWithLinks(organizationId, survey.id),
      countResponses(app.db, organizationId, survey.id),
      app.db
        .selectFrom('accounts')
        .select(['id', 'name'])
        .where('organization_id', '=', organizationId)
        .orderBy('name')
        .execute(),
      app.db
        .selectFrom('users')
        .select(['email', 'name'])
        .where('organization_id', '=', organizationId)
        .where('active', '=', true)
        .orderBy('name')
        .execute(),
      latestMessagePerInvitation(app.db, organizationId, survey.id),
      survey.previousSurveyId ? findSurvey(app.db, organizationId, survey.previousSurveyId) : undefined,
      findSuccessor(app.db, organizationId, survey.id),
    ]);
    const emailOf = new Map(emails.map((email) => [email.invitationId, email]));
    const optedOut = await optedOutAmong(
      app.db,
      organizationId,
      invitations.map((invitation) => invitation.email),
    );
    const query = request.query as { reminded?: string; copied?: string; skipped?: string };
    const count = (value: string | undefined) => {
      const n = Number(value);
      return value !== undefined && Number.isInteger(n) && n >= 0 ? String(n) : undefined;
    };
    const copied = previous ? count(query.copied) : undefined;
    const skipped = count(query.skipped);
    const rate = (c: { invited: number; responded: number }) =>
      c.invited > 0 ? Math.round((100 * c.responded) / c.invited) : null;
    return {
      survey,
      ...reopenState(request, survey),
      introMax: INTRO_MAX,
      introValue: survey.intro ?? '',
      criteria,
      invitations: invitations.map((invitation) => ({
        ...invitation,
        // The latest email to this person (invitation or reminder) and whether they opted out.
        lastEmail: emailOf.get(invitation.id),
        optedOut: optedOut.has(invitation.email.toLowerCase()),
      })),
      previous: previous ? { id: previous.id, name: previous.name } : undefined,
      next,
      // Just run again: what was copied, and the earlier wave's criteria this one does not ask.
      copyNotice:
        copied && previous
          ? {
              copied,
              skipped: skipped === '0' ? undefined : skipped,
              leftOut: notAskedAgain(await listSurveyCriteria(app.db, organizationId, previous.id), criteria),
            }
          : undefined,
      counts,
      minGroupSize: await minGroupSizeOf(organizationId),
      reminded: count(query.reminded),
      rates: { customer: rate(counts.customer), seller: rate(counts.seller) },
      accounts,
      users,
      values: {},
      errors: {},
      ...extra,
    };
  }

  app.get('/surveys/:id', managers, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.render('surveys/show', await surveyPageData(request));
  });

  // ---- Inviting from contacts and users (/surveys/:id/invite) ---------------------------------------
  // A GET form chooses accounts and re-renders with their contacts ticked; a POST form invites the ticked
  // contacts and users. Works without JavaScript; every lookup is scoped by the signed-in organisation.

  interface Picked {
    accountIds: readonly string[];
    /** What was posted, when the page is re-rendered after a refusal; else every contact not yet invited. */
    ticked?: { contacts: ReadonlySet<string>; users: ReadonlySet<string> };
    /** Messages next to a contact (`accountId:contactId`) or user (`user:<id>`), and for the whole form. */
    errors?: { byChoice: ReadonlyMap<string, string>; form: readonly string[] };
  }

  async function renderPickPage(
    request: FastifyRequest,
    reply: FastifyReply,
    survey: { id: string; name: string; language: Language; status: string },
    picked: Picked,
    statusCode = 200,
  ) {
    const { organizationId } = principalOf(request);
    const t = (message: string, params?: Record<string, unknown>) => translate(request.lang, message, params);
    const accounts = await listAccounts(app.db, organizationId);
    const chosen = new Set(picked.accountIds);
    const chosenAccounts = accounts.filter((account) => chosen.has(account.id));
    const [contacts, users] = await Promise.all([
      listContactsForWave(
        app.db,
        organizationId,
        survey.id,
        chosenAccounts.map((account) => account.id),
      ),
      listUsersForWave(app.db, organizationId, survey.id),
    ]);
    const waveLanguage = t('pick.waveLanguage', { language: t(`language.${survey.language}`) });
    const errorOf = (choice: string) => picked.errors?.byChoice.get(choice);
    reply.header('cache-control', 'no-store');
    return reply.render(
      'surveys/invite',
      {
        title: t('pick.title'),
        survey,
        closed: survey.status === 'closed',
        accounts: accounts.map((account) => ({ ...account, chosen: chosen.has(account.id) })),
        chosenAccounts: chosenAccounts.map((account) => ({
          id: account.id,
          name: account.name,
          contacts: contacts
            .filter((contact) => contact.accountId === account.id)
            .map((contact) => {
              const value = `${account.id}:${contact.id}`;
              return {
                value,
                inputId: `contact-${contact.id}`,
                name: contact.name,
                email: contact.email,
                invited: contact.invited,
                checked: picked.ticked ? picked.ticked.contacts.has(value) : !contact.invited,
                language: contact.language ? t(`language.${contact.language}`) : waveLanguage,
                roleAddress: isRoleAddress(contact.email),
                error: errorOf(value),
              };
            }),
        })),
        users: users.map((user) => ({
          ...user,
          inputId: `user-${user.id}`,
          checked: picked.ticked?.users.has(user.id) ?? false,
          error: errorOf(`user:${user.id}`),
        })),
        formErrors: picked.errors?.form ?? [],
      },
      statusCode,
    );
  }

  app.get('/surveys/:id/invite', managers, async (request, reply) => {
    const survey = await surveyOf(request);
    const { accountIds } = pickQuery.parse(request.query ?? {});
    return renderPickPage(request, reply, survey, { accountIds });
  });

  app.post('/surveys/:id/invite', managers, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    const t = (message: string, params?: Record<string, unknown>) => translate(request.lang, message, params);
    const form = pickForm.safeParse(request.body ?? {});
    if (!form.success) {
      // Not what the page offers (a forged or stale form): show the page again, ticked as at first.
      const { accountIds } = pickQuery.parse(request.body ?? {});
      const errors = { byChoice: new Map(), form: [t('pick.errorInvalid')] };
      return renderPickPage(request, reply, survey, { accountIds, errors }, 400);
    }
    const { accountIds, contacts, userIds } = form.data;
    const ticked = {
      contacts: new Set(contacts.map((c) => `${c.accountId}:${c.contactId}`)),
      users: new Set(userIds),
    };
    const refuse = (messages: string[], byChoice = new Map<string, string>()) =>
      renderPickPage(
        request,
        reply,
        survey,
        { accountIds, ticked, errors: { byChoice, form: messages } },
        400,
      );
    if (survey.status === 'closed') return refuse([t('pick.errorClosed')]);
    if (contacts.length + userIds.length === 0) return refuse([t('pick.errorNothing')]);

    const inputs: InvitationInput[] = [
      ...contacts.map((c) => ({ role: 'customer' as const, accountId: c.accountId, contactId: c.contactId })),
      ...userIds.map((userId) => ({ role: 'seller' as const, userId })),
    ];
    const choiceOf = (index: number) => {
      const input = inputs[index];
      return input?.role === 'customer' ? `${input.accountId}:${input.contactId}` : `user:${input?.userId}`;
    };
    try {
      await createInvitations(
        app.db,
        {
          organizationId,
          surveyId: survey.id,
          surveyLanguage: survey.language,
          linkKey: key,
          publicUrl: app.config.publicUrl,
        },
        inputs,
      );
      await queueEmails(organizationId, survey.id);
      return reply.redirect(`/surveys/${survey.id}`, 303);
    } catch (caught) {
      if (!(caught instanceof InvitationProblems)) throw caught;
      const messages = caught.problems.map((p) => {
        const email = p.email ?? '';
        switch (p.reason) {
          case 'unknownContact':
            return t('pick.unknownContact');
          case 'contactOfOtherAccount':
            return t('pick.contactOfOtherAccount', { email });
          case 'unknownUser':
            return t('pick.unknownUser');
          case 'alreadyInvited':
            return p.email ? t('pick.alreadyInvitedError', { email }) : t('invite.errorDuplicate');
          case 'repeated':
            return t('pick.repeated', { email });
          default:
            return t('pick.invalid');
        }
      });
      const byChoice = new Map(
        caught.problems.flatMap((p, i) => (p.index === null ? [] : [[choiceOf(p.index), messages[i] ?? '']])),
      );
      return refuse([...new Set(messages)], byChoice);
    }
  });

  // The page's invite form: one role, several addresses (one per line), customers on one account.
  const inviteForm = z.object({
    role: z.enum(['customer', 'seller']),
    accountId: z.preprocess((v) => (v === '' ? undefined : v), z.uuid().optional()),
    emails: z
      .string()
      .max(100_000)
      .refine((value) => value.split(/\r?\n/).every((line) => line.length <= 500), 'invite.errorLong'),
    language: z.preprocess((v) => (v === '' ? undefined : v), z.enum(['nb', 'en']).optional()),
  });

  app.post('/surveys/:id/invitations', managers, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    const form = inviteForm.safeParse(request.body ?? {});
    const lines = form.success
      ? form.data.emails
          .split(/\r?\n/)
          .map((line) => line.trim())
          .filter(Boolean)
      : [];
    const inputs = lines.map((line) => {
      const { name, email } = splitAddress(line);
      return invitationInput.safeParse({
        role: form.data?.role,
        email,
        name,
        language: form.data?.language,
        accountId: form.data?.role === 'customer' ? form.data?.accountId : undefined,
      });
    });
    const bad = inputs.findIndex((input) => !input.success);
    const badInput = inputs[bad];
    const t = (message: string, params?: Record<string, unknown>) => translate(request.lang, message, params);
    // Each message sits next to its field; a closed wave is the whole form's.
    let errors: { _form?: string; accountId?: string; emails?: string } | undefined;
    if (!form.success) {
      errors = form.error.issues.some((issue) => issue.message === 'invite.errorLong')
        ? { emails: t('invite.errorLong') }
        : { emails: t('invite.errorEmpty') };
    } else if (lines.length === 0) errors = { emails: t('invite.errorEmpty') };
    else if (badInput && !badInput.success) {
      errors = badInput.error.issues.some((issue) => issue.path[0] === 'accountId')
        ? { accountId: t('invite.errorAccount') }
        : { emails: `${t('invite.errorLine')} ${lines[bad]}` };
    } else if (survey.status === 'closed') errors = { _form: t('invite.errorClosed') };
    if (!errors) {
      try {
        await createInvitations(
          app.db,
          {
            organizationId,
            surveyId: survey.id,
            surveyLanguage: survey.language,
            linkKey: key,
            publicUrl: app.config.publicUrl,
          },
          inputs.flatMap((input) => (input.success ? [input.data] : [])),
        );
        await queueEmails(organizationId, survey.id);
        return reply.redirect(`/surveys/${survey.id}`, 303);
      } catch (caught) {
        if (!(caught instanceof InvitationProblems)) throw caught;
        const addresses = (reason: string) =>
          caught.problems.flatMap((p) => (p.reason === reason && p.email ? [p.email] : [])).join(', ');
        const repeated = addresses('repeated');
        const invited = addresses('alreadyInvited');
        errors = repeated
          ? { emails: t('invite.repeatedOf', { emails: repeated }) }
          : invited
            ? { emails: t('invite.duplicateOf', { emails: invited }) }
            : caught.statusCode === 409
              ? { emails: t('invite.errorDuplicate') }
              : { accountId: t('invite.errorAccount') };
      }
    }
    const data = await surveyPageData(request, { values: request.body, inviteErrors: errors });
    return reply.render('surveys/show', data, 400);
  });

  app.post('/surveys/:id/open', managers, async (request, reply) => {
    const survey = await surveyOf(request);
    const { organizationId } = principalOf(request);
    await transitionSurvey(app.db, organizationId, survey.id, 'open');
    await queueEmails(organizationId, survey.id);
    return reply.redirect(`/surveys/${survey.id}`, 303);
  });

  /** Why a wave cannot be closed or reopened, on the wave page (409), as the revoke refusal is shown. */
  const waveStateError = async (request: FastifyRequest, reply: FastifyReply, pageError: string) =>
    reply.render('surveys/show', await surveyPageData(request, { pageError }), 409);

  // Closing asks first, and says how many started answers it leaves out; works without JavaScript.
  app.get('/surveys/:id/close', managers, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const survey = await surveyOf(request);
    if (survey.status !== 'open') {
      return waveStateError(
        request,
        reply,
        survey.status === 'draft' ? 'close.notOpen' : 'close.alreadyClosed',
      );
    }
    const [unsubmitted, counts] = await Promise.all([
      countUnsubmitted(app.db, organizationId, survey.id),
      countResponses(app.db, organizationId, survey.id),
    ]);
    reply.header('cache-control', 'no-store');
    return reply.render('surveys/close', {
      title: survey.name,
      survey,
      unsubmitted,
      counts,
      reopenDays: REOPEN_WINDOW_DAYS,
    });
  });

  app.post('/surveys/:id/close', managers, async (request, reply) => {
    const survey = await surveyOf(request);
    if ((request.body as { confirm?: unknown } | undefined)?.confirm !== 'yes') {
      return reply.redirect(`/surveys/${survey.id}/close`, 303);
    }
    const result = await closeWave(app.db, principalOf(request).organizationId, survey.id);
    if (result === 'notFound') throw notFound();
    if (result !== 'closed') {
      return waveStateError(request, reply, result === 'notOpen' ? 'close.notOpen' : 'close.alreadyClosed');
    }
    return reply.redirect(`/surveys/${survey.id}`, 303);
  });

  app.post('/surveys/:id/reopen', managers, async (request, reply) => {
    const survey = await surveyOf(request);
    const result = await reopenWave(app.db, principalOf(request).organizationId, survey.id);
    if (result === 'notFound') throw notFound();
    if (result !== 'reopened') {
      return waveStateError(
        request,
        reply,
        result === 'windowPassed' ? 'reopen.windowPassed' : 'reopen.notClosed',
      );
    }
    return reply.redirect(`/surveys/${survey.id}`, 303);
  });

  // Run again: a draft copy of the wave follows it in its series (wave-copy.service.ts).
  app.post('/surveys/:id/copy', managers, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const source = await surveyOf(request);
    const result = await copyOf(organizationId, source.id);
    if (result.outcome === 'notFound') throw notFound();
    if (result.outcome === 'alreadyFollowedUp')
      return waveStateError(request, reply, 'copy.alreadyFollowedUp');
    if (result.outcome === 'noActiveCriteria') return waveStateError(request, reply, 'copy.noActiveCriteria');
    const copied = result.invitations.length;
    return reply.redirect(
      `/surveys/${result.surveyId}?copied=${copied}&skipped=${result.skipped.length}`,
      303,
    );
  });

  app.post('/surveys/:id/intro', managers, async (request, reply) => {
    const survey = await surveyOf(request);
    const form = introForm.safeParse(request.body ?? {});
    if (!form.success) {
      const tooLong = form.error.issues.some((issue) => issue.code === 'too_big');
      const raw = (request.body as { intro?: unknown } | undefined)?.intro;
      const data = await surveyPageData(request, {
        introValue: typeof raw === 'string' ? raw : '',
        introError: tooLong ? 'intro.errorLong' : 'intro.errorInvalid',
      });
      return reply.render('surveys/show', data, 400);
    }
    await setIntro(app.db, principalOf(request).organizationId, survey.id, form.data.intro);
    return reply.redirect(`/surveys/${survey.id}`, 303);
  });

  const crosshairForm = z.object({ crosshair: z.enum(['grand_mean', 'midpoint']) });

  app.post('/surveys/:id/crosshair', managers, async (request, reply) => {
    const survey = await surveyOf(request);
    const form = crosshairForm.safeParse(request.body ?? {});
    if (!form.success) throw badRequest('Choose grand_mean or midpoint', fieldList(form.error));
    await setCrosshair(app.db, principalOf(request).organizationId, survey.id, form.data.crosshair);
    return reply.redirect(`/surveys/${survey.id}`, 303);
  });

  app.post('/surveys/:id/invitations/:invitationId/revoke', managers, async (request, reply) => {
    const params = invitationParams.safeParse(request.params);
    if (!params.success) throw notFound();
    const { organizationId } = principalOf(request);
    const result = await revokeInvitation(app.db, organizationId, params.data.id, params.data.invitationId);
    if (result === 'notFound') throw notFound();
    if (result === 'answered') {
      const data = await surveyPageData(request, { pageError: 'surveys.revokeAnswered' });
      return reply.render('surveys/show', data, 409);
    }
    return reply.redirect(`/surveys/${params.data.id}`, 303);
  });

  app.post('/surveys/:id/invitations/:invitationId/renew', managers, async (request, reply) => {
    const params = invitationParams.safeParse(request.params);
    if (!params.success) throw notFound();
    const token = newToken(key);
    const done = await renewInvitationToken(
      app.db,
      principalOf(request).organizationId,
      params.data.id,
      params.data.invitationId,
      token,
    );
    if (!done) throw notFound();
    return reply.redirect(`/surveys/${params.data.id}`, 303);
  });
}
