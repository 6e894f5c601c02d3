import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Language } from '../../db/database.js';
import { isLang, translate } from '../../lib/i18n.js';
import { RESPONDENT_ROUTE, wantsJson } from '../../plugins/auth.js';
import { renderBlock, textBlock } from '../../plugins/views.js';
import { hashToken } from '../surveys/invitation-links.js';
import './respondent.messages.js';
import { aboutTheSurvey, answeredCriteria, asksOverall } from './respondent.page.js';
import {
  invitationLookups,
  type Ratings,
  type RespondentInvitation,
  saveResponse,
  WaveCriteria,
  WaveNotOpenError,
} from './respondent.queries.js';
import {
  dimensionsFor,
  type ErrorCode,
  fieldName,
  OVERALL_FIELD,
  parseForm,
  parseJson,
  unansweredFields,
} from './respondent.schemas.js';

const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

/**
 * The respondent's form at /r/<token>: no login, the token is the credential. It is never logged (see
 * logger.ts), never put in another URL, and an unknown, malformed or revoked token gets the same 404.
 */
export default async function respondentRoutes(app: FastifyInstance) {
  /**
   * Guessing links: an address with too many unknown tokens gets 429 on every link until its window ends.
   * Valid lookups never count, so colleagues behind the same address keep working until then.
   */
  const respondent = {
    config: RESPONDENT_ROUTE,
    onRequest: async (request: FastifyRequest) => {
      await app.rateLimits.respondentLookups.assertAllowed(request.ip);
    },
  };

  const waveCriteria = new WaveCriteria(app.db);
  const lookups = invitationLookups(app.db, app.pg.pool);

  /** The invitation of the link in the path, looked up by `find`; null when an answer has been sent. */
  async function invitationOf<T extends RespondentInvitation>(
    request: FastifyRequest,
    reply: FastifyReply,
    find: (tokenHash: Buffer) => Promise<T | undefined>,
  ): Promise<T | null> {
    const { token } = request.params as { token: string };
    const invitation = TOKEN.test(token) ? await find(hashToken(token)) : undefined;
    reply.header('cache-control', 'no-store');
    reply.header('x-robots-tag', 'noindex');
    // A state (not found, not open, closed) is JSON for `Accept: application/json`, else a page.
    reply.header('vary', 'Accept');
    if (!invitation) {
      await app.rateLimits.respondentLookups.recordFailure(request.ip);
      await sendState(request, reply, 404, 'NOT_FOUND', 'respondent.notFound', request.lang);
      return null;
    }
    const lang = languageFor(request, invitation.language);
    if (invitation.surveyStatus === 'draft') {
      await sendState(request, reply, 403, 'SURVEY_NOT_OPEN', 'respondent.notOpen', lang, invitation);
      return null;
    }
    if (invitation.surveyStatus === 'closed') {
      await sendState(request, reply, 410, 'SURVEY_CLOSED', 'respondent.closed', lang, invitation);
      return null;
    }
    return invitation;
  }

  function languageFor(request: FastifyRequest, invitationLanguage: Language): Language {
    const query = (request.query as { lang?: string }).lang;
    return isLang(query) ? query : invitationLanguage;
  }

  function sendState(
    request: FastifyRequest,
    reply: FastifyReply,
    statusCode: number,
    code: string,
    messageKey: string,
    lang: Language,
    invitation?: RespondentInvitation,
  ) {
    if (wantsJson(request)) {
      return reply.code(statusCode).send({ error: { code, message: translate('en', messageKey) } });
    }
    request.lang = lang;
    return reply.render(
      'respondent/state',
      {
        respondent: true,
        noSession: true,
        messageKey,
        surveyName: invitation?.surveyName,
        supplier: invitation?.supplierName,
      },
      statusCode,
    );
  }

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    invitation: RespondentInvitation,
    state: {
      ratings: Ratings;
      /** undefined: unanswered; null: "don't know" */
      overall: number | null | undefined;
      raw?: Record<string, string>;
      comment: string | null;
      errors?: Record<string, ErrorCode>;
      submitted: boolean;
      notice?: string;
    },
    statusCode = 200,
  ) {
    const lang = languageFor(request, invitation.language);
    request.lang = lang;
    const criteria = await waveCriteria.forRole(
      invitation.organizationId,
      invitation.surveyId,
      invitation.role,
    );
    const errors = state.errors ?? {};
    // A form re-shown with its errors carries what was typed, and is rendered for its reader alone.
    const keep = !state.errors;
    const questions = dimensionsFor(invitation.role).map((dimension) => ({
      dimension,
      text: () =>
        translate(lang, `respondent.question.${invitation.role}.${dimension}`, {
          supplier: invitation.supplierName,
        }),
    }));
    const currentOf = (name: string, stored: number | null | undefined) =>
      state.raw?.[name] ?? (stored === undefined ? undefined : stored === null ? 'dk' : String(stored));
    // Each criterion's block is the same for everyone who gave it the same ratings: rendered once per
    // criterion, role, supplier name and ratings (the language is the block's own).
    const criteriaBlocks = criteria.map((criterion) => {
      const answers = questions.map((question) => {
        const name = fieldName(question.dimension, criterion.id);
        return {
          question,
          name,
          current: currentOf(name, state.ratings[criterion.id]?.[question.dimension]),
        };
      });
      const key = keep
        ? JSON.stringify([
            criterion.id,
            criterion.labelNb,
            criterion.labelEn,
            invitation.role,
            invitation.supplierName,
            ...answers.map((answer) => answer.current ?? ''),
          ])
        : undefined;
      return renderBlock('respondent-criterion', lang, key, () => ({
        id: criterion.id,
        label: lang === 'en' ? criterion.labelEn : criterion.labelNb,
        invalid: answers.some((answer) => errors[answer.name]),
        questions: answers.map(({ question, name, current }) => ({
          name,
          text: question.text(),
          error: errors[name] ? translate(lang, `respondent.error.${errors[name]}`) : undefined,
          current,
        })),
      }));
    });
    // Overall satisfaction, after the criteria (customers of a wave that asks it).
    const asked = asksOverall(invitation.role, invitation.overallQuestion);
    const overallCurrent = asked ? currentOf(OVERALL_FIELD, state.overall) : undefined;
    const answered = answeredCriteria(state.ratings, criteria, invitation.role);
    // The page around the criteria and the comment: the same for the wave's respondents with the same KAM,
    // progress and overall answer, so it is rendered once for them. The key names everything page() reads.
    const key = keep
      ? JSON.stringify([
          invitation.role,
          invitation.supplierName,
          invitation.surveyName,
          invitation.surveyIntro,
          invitation.closesAt?.getTime(),
          invitation.kamName,
          invitation.confidential,
          invitation.minGroupSize,
          invitation.privacyContact,
          asked,
          overallCurrent,
          criteria.length,
          answered,
          state.submitted,
          state.notice,
        ])
      : undefined;
    const page = () => {
      const overallCode = errors[OVERALL_FIELD];
      const overall = asked
        ? {
            name: OVERALL_FIELD,
            text: translate(lang, 'respondent.question.customer.overall', {
              supplier: invitation.supplierName,
            }),
            error: overallCode ? translate(lang, `respondent.error.${overallCode}`) : undefined,
            current: overallCurrent,
          }
        : undefined;
      const otherErrors = Object.entries(errors)
        .filter(
          ([field]) =>
            !field.startsWith('i_') && !field.startsWith('p_') && !(overall && field === OVERALL_FIELD),
        )
        .map(([, code]) => translate(lang, `respondent.error.${code}`));
      return {
        respondent: true,
        noSession: true,
        title: invitation.surveyName,
        // Only what the page shows.
        invitation: {
          supplierName: invitation.supplierName,
          surveyName: invitation.surveyName,
          surveyIntro: invitation.surveyIntro,
        },
        about: aboutTheSurvey(lang, invitation, criteria.length),
        // Counted from the answers on the page: after a save these are the stored ones.
        progress: { answered, total: criteria.length },
        overall,
        commentError: errors.comment ? translate(lang, 'respondent.error.invalid_comment') : undefined,
        errorCount: Object.keys(errors).length,
        otherErrors,
        submitted: state.submitted,
        notice: state.notice,
        otherLang: lang === 'nb' ? 'en' : 'nb',
      };
    };
    return reply.renderShared('respondent/form', page, {
      statusCode,
      key,
      blocks: {
        criteria: criteriaBlocks,
        comment: [textBlock(state.raw?.comment ?? state.comment ?? '')],
      },
    });
  }

  app.get('/r/:token', respondent, async (request, reply) => {
    let ratings: Ratings = {};
    const invitation = await invitationOf(request, reply, async (tokenHash) => {
      // Marks the link opened the first time, in the same statement.
      const found = await lookups.open(tokenHash);
      if (found) ratings = found.ratings;
      return found?.invitation;
    });
    if (!invitation) return reply;
    const submitted = invitation.responseStatus === 'submitted';
    const query = request.query as { done?: string; saved?: string };
    if (submitted && query.done === '1') {
      request.lang = languageFor(request, invitation.language);
      return reply.render('respondent/thanks', { respondent: true, noSession: true, invitation });
    }
    const notice = query.saved === '1' ? 'respondent.savedNotice' : undefined;
    return renderForm(request, reply, invitation, {
      ratings,
      overall: invitation.overallAnswered ? invitation.overallScore : undefined,
      comment: invitation.responseComment,
      submitted,
      notice,
    });
  });

  app.post('/r/:token', respondent, async (request, reply) => {
    const invitation = await invitationOf(request, reply, lookups.invitation);
    if (!invitation) return reply;
    const json = wantsJson(request);
    const criteria = await waveCriteria.forRole(
      invitation.organizationId,
      invitation.surveyId,
      invitation.role,
    );
    const overallAsked = asksOverall(invitation.role, invitation.overallQuestion);
    const parsed = json
      ? parseJson(request.body, criteria, invitation.role, overallAsked)
      : parseForm(request.body, criteria, invitation.role, overallAsked);
    const alreadySubmitted = invitation.responseStatus === 'submitted';
    // After submitting, every change is a new submitted version: it must be complete too.
    const submit = parsed.submit || alreadySubmitted;
    if (submit && Object.keys(parsed.errors).length === 0) {
      for (const field of unansweredFields(parsed, criteria, invitation.role, overallAsked))
        parsed.errors[field] = 'unanswered';
    }
    if (Object.keys(parsed.errors).length > 0) {
      if (json) {
        const fields = Object.entries(parsed.errors).map(([field, code]) => ({
          field,
          code,
          message: translate('en', `respondent.error.${code}`),
        }));
        return reply
          .code(400)
          .send({ error: { code: 'VALIDATION', message: 'Some answers are missing or invalid', fields } });
      }
      return renderForm(
        request,
        reply,
        invitation,
        {
          ratings: parsed.ratings,
          overall: parsed.overall,
          raw: parsed.raw,
          comment: parsed.comment,
          errors: parsed.errors,
          submitted: alreadySubmitted,
        },
        400,
      );
    }
    const audience = new Map(criteria.map((criterion) => [criterion.id, criterion.audience]));
    let status: 'saved' | 'submitted';
    try {
      status = await saveResponse(
        app.db,
        invitation,
        { ratings: parsed.ratings, overall: parsed.overall, comment: parsed.comment, submit },
        (id) => audience.get(id) ?? 'both',
      );
    } catch (error) {
      if (!(error instanceof WaveNotOpenError)) throw error;
      return sendState(
        request,
        reply,
        410,
        'SURVEY_CLOSED',
        'respondent.closed',
        languageFor(request, invitation.language),
        invitation,
      );
    }
    if (json) return { status };
    const lang = (request.query as { lang?: string }).lang;
    const langParam = isLang(lang) ? `&lang=${lang}` : '';
    const { token } = request.params as { token: string };
    return reply.redirect(`/r/${token}?${status === 'submitted' ? 'done=1' : 'saved=1'}${langParam}`, 303);
  });
}
