import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { attachment } from '../../lib/content-disposition.js';
import { badRequest, HttpError, notFound } from '../../lib/errors.js';
import { type Lang, translate } from '../../lib/i18n.js';
import { fieldErrors, fieldList } from '../../lib/validation.js';
import { API_ROUTE, principalOf } from '../../plugins/auth.js';
import { AUDIT_ACTIONS_CSV } from '../privacy/audit.plugin.js';
import { buildSurveyReport } from '../reports/report.service.js';
import { actionsCsv } from './actions.csv.js';
import { localizeActionError } from './actions.messages.js';
import {
  type ActionRow,
  findWave,
  listAccountsFor,
  listActionsByOwner,
  listActionsOfWave,
  listActiveUsers,
  listWaveCriteria,
} from './actions.queries.js';
import {
  ACTION_STATUSES,
  actionParams,
  addActionForm,
  createActionBody,
  myActionsQuery,
  NOTE_MAX,
  patchActionBody,
  surveyActionParams,
  surveyParams,
  TITLE_MAX,
  updateActionForm,
} from './actions.schemas.js';
import {
  actionJson,
  changeAction,
  createAction,
  isOverdue,
  scopeOf,
  todayInNorway,
} from './actions.service.js';

function parseOr400<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw badRequest('Invalid request', fieldList(parsed.error));
  return parsed.data;
}

function idOf(schema: typeof surveyParams, request: FastifyRequest): string {
  const parsed = schema.safeParse(request.params);
  if (!parsed.success) throw notFound();
  return parsed.data.id;
}

const NOTICES = new Set(['created', 'updated', 'pastDue']);

/** Form errors as the page shows them, in the reader's language, keyed by the form's field names. */
function localized(lang: Lang, errors: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(errors).map(([field, message]) => [field, localizeActionError(lang, message)]),
  );
}

/** A refusal of the service as form errors: 400s only; 403 and 404 stay errors. */
function formErrorsOf(error: unknown): Record<string, string> {
  if (!(error instanceof HttpError) || error.statusCode !== 400) throw error;
  const errors: Record<string, string> = {};
  for (const { field, message } of error.fields ?? [{ field: '_form', message: error.message }]) {
    errors[field === 'criterionKey' || field === 'criterionId' ? 'criterion' : field] ??= message;
  }
  return errors;
}

export default async function actionsRoutes(app: FastifyInstance) {
  const readers = { preHandler: app.requireRole('admin', 'manager', 'kam') };

  // ---- JSON API -------------------------------------------------------------------------------

  app.post('/api/v1/surveys/:id/actions', { ...readers, config: API_ROUTE }, async (request, reply) => {
    const surveyId = idOf(surveyParams, request);
    const body = parseOr400(createActionBody, request.body);
    const { action, warnings } = await createAction(app.db, principalOf(request), surveyId, body);
    return reply.code(201).send({ ...actionJson(action), warnings });
  });

  app.get('/api/v1/surveys/:id/actions', { ...readers, config: API_ROUTE }, async (request) => {
    const principal = principalOf(request);
    const surveyId = idOf(surveyParams, request);
    if (!(await findWave(app.db, principal.organizationId, surveyId))) throw notFound('Survey not found');
    const actions = await listActionsOfWave(app.db, principal.organizationId, surveyId, scopeOf(principal));
    return { actions: actions.map(actionJson) };
  });

  app.patch('/api/v1/actions/:id', { ...readers, config: API_ROUTE }, async (request) => {
    const actionId = idOf(actionParams, request);
    const body = parseOr400(patchActionBody, request.body);
    const { action, warnings } = await changeAction(app.db, principalOf(request), actionId, body);
    return { ...actionJson(action), warnings };
  });

  app.get('/api/v1/actions', { ...readers, config: API_ROUTE }, async (request) => {
    const principal = principalOf(request);
    const query = myActionsQuery.safeParse(request.query ?? {});
    if (!query.success) throw badRequest('Invalid query', fieldList(query.error));
    const actions = await listActionsByOwner(
      app.db,
      principal.organizationId,
      { ownerUserId: principal.userId, status: query.data.status },
      scopeOf(principal),
    );
    return { actions: actions.map(actionJson) };
  });

  // ---- A wave's actions (/surveys/:id/actions) ---------------------------------------------------

  async function waveOf(request: FastifyRequest) {
    const parsed = surveyParams.safeParse(request.params);
    if (!parsed.success) throw notFound();
    const wave = await findWave(app.db, principalOf(request).organizationId, parsed.data.id);
    if (!wave) throw notFound();
    return wave;
  }

  interface PageState {
    values?: Record<string, unknown>;
    errors?: Record<string, string>;
    /** Errors of one action's status form. */
    row?: { actionId: string; values: Record<string, unknown>; errors: Record<string, string> };
  }

  async function renderWavePage(
    request: FastifyRequest,
    reply: FastifyReply,
    wave: { id: string; name: string },
    state: PageState = {},
    statusCode = 200,
  ) {
    const principal = principalOf(request);
    const { organizationId } = principal;
    const lang = request.lang;
    const scope = scopeOf(principal);
    const [actions, criteria, accounts, users, report] = await Promise.all([
      listActionsOfWave(app.db, organizationId, wave.id, scope),
      listWaveCriteria(app.db, organizationId, wave.id),
      listAccountsFor(app.db, organizationId, scope),
      listActiveUsers(app.db, organizationId),
      // Only the quadrants are needed: no comparison with an earlier wave.
      buildSurveyReport(app.db, principal, wave.id, { compareTo: 'none' }, lang, { withComments: false }),
    ]);
    const query = request.query as Record<string, unknown>;
    const label = (c: { labelNb: string; labelEn: string }) => (lang === 'en' ? c.labelEn : c.labelNb);
    const wanted =
      typeof state.values?.criterion === 'string'
        ? state.values.criterion
        : typeof query.criterion === 'string'
          ? criteria.find((c) => c.id === query.criterion || (c.key !== null && c.key === query.criterion))
              ?.id
          : undefined;
    const concentrate = new Set(report.gap.concentrate);
    const option = (c: (typeof criteria)[number]) => ({
      id: c.id,
      label: label(c),
      selected: c.id === wanted,
    });
    const values = state.values ?? { ownerUserId: principal.userId };
    const today = todayInNorway();
    const notice = typeof query.notice === 'string' && NOTICES.has(query.notice) ? query.notice : undefined;
    const errors = localized(lang, state.errors ?? {});
    reply.header('cache-control', 'no-store');
    return reply.render(
      'actions/wave',
      {
        title: translate(lang, 'actions.waveTitle', { wave: wave.name }),
        wave,
        isKam: principal.role === 'kam',
        notice,
        pastDue: notice === 'pastDue',
        proposed: criteria.filter((c) => concentrate.has(c.id)).map(option),
        otherCriteria: criteria.filter((c) => !concentrate.has(c.id)).map(option),
        accounts: accounts.map((account) => ({ ...account, selected: account.id === values.accountId })),
        users: users.map((user) => ({ ...user, selected: user.id === values.ownerUserId })),
        statuses: ACTION_STATUSES,
        titleMax: TITLE_MAX,
        noteMax: NOTE_MAX,
        values,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        actions: actions.map((action) => {
          const row = state.row?.actionId === action.id ? state.row : undefined;
          const current = row ? String(row.values.status ?? '') : action.status;
          return {
            ...action,
            criterionLabel: label(action),
            noteLines: action.note?.split('\n') ?? [],
            overdue: isOverdue(action, today),
            statusOptions: ACTION_STATUSES.map((status) => ({ value: status, selected: status === current })),
            noteValue: row ? (row.values.note ?? '') : (action.note ?? ''),
            errors: row ? localized(lang, row.errors) : {},
          };
        }),
      },
      statusCode,
    );
  }

  app.get('/surveys/:id/actions', readers, async (request, reply) => {
    return renderWavePage(request, reply, await waveOf(request));
  });

  app.post('/surveys/:id/actions', readers, async (request, reply) => {
    const wave = await waveOf(request);
    const values = (request.body ?? {}) as Record<string, unknown>;
    const parsed = addActionForm.safeParse(values);
    if (!parsed.success) {
      return renderWavePage(request, reply, wave, { values, errors: fieldErrors(parsed.error) }, 400);
    }
    const { criterion, ...fields } = parsed.data;
    try {
      const { action, warnings } = await createAction(app.db, principalOf(request), wave.id, {
        criterionId: criterion,
        ...fields,
      });
      const notice = warnings.length > 0 ? 'pastDue' : 'created';
      return reply.redirect(`/surveys/${wave.id}/actions?notice=${notice}#action-${action.id}`, 303);
    } catch (error) {
      return renderWavePage(request, reply, wave, { values, errors: formErrorsOf(error) }, 400);
    }
  });

  app.post('/surveys/:id/actions/:actionId', readers, async (request, reply) => {
    const params = surveyActionParams.safeParse(request.params);
    if (!params.success) throw notFound();
    const wave = await waveOf(request);
    const { actionId } = params.data;
    const values = (request.body ?? {}) as Record<string, unknown>;
    const parsed = updateActionForm.safeParse(values);
    if (!parsed.success) {
      const row = { actionId, values, errors: fieldErrors(parsed.error) };
      return renderWavePage(request, reply, wave, { row }, 400);
    }
    const { status, note } = parsed.data;
    await changeAction(
      app.db,
      principalOf(request),
      actionId,
      { status, note: note ?? null },
      { surveyId: wave.id },
    );
    return reply.redirect(`/surveys/${wave.id}/actions?notice=updated#action-${actionId}`, 303);
  });

  app.get('/surveys/:id/actions.csv', { ...readers, config: AUDIT_ACTIONS_CSV }, async (request, reply) => {
    const principal = principalOf(request);
    const wave = await waveOf(request);
    const actions = await listActionsOfWave(app.db, principal.organizationId, wave.id, scopeOf(principal));
    const lang: Lang = request.langChosen ? request.lang : wave.language;
    return reply
      .type('text/csv; charset=utf-8')
      .header(
        'content-disposition',
        attachment(translate(lang, 'actions.csv.fileName', { wave: wave.name }), 'csv'),
      )
      .header('cache-control', 'no-store')
      .send(actionsCsv(lang, actions));
  });

  // ---- Open actions across waves (/actions) ------------------------------------------------------

  app.get('/actions', readers, async (request, reply) => {
    const principal = principalOf(request);
    const canSeeAll = principal.role !== 'kam';
    const all = canSeeAll && (request.query as Record<string, unknown>).all === '1';
    const actions = await listActionsByOwner(
      app.db,
      principal.organizationId,
      { ownerUserId: all ? undefined : principal.userId, status: 'open' },
      scopeOf(principal),
    );
    const today = todayInNorway();
    const lang = request.lang;
    reply.header('cache-control', 'no-store');
    return reply.render('actions/open', {
      title: translate(lang, all ? 'actions.all.title' : 'actions.mine.title'),
      all,
      canSeeAll,
      actions: actions.map((action: ActionRow) => ({
        ...action,
        criterionLabel: lang === 'en' ? action.labelEn : action.labelNb,
        overdue: isOverdue(action, today),
      })),
    });
  });
}
