import type { Db } from '../../db/database.js';
import { HttpError, notFound } from '../../lib/errors.js';
import type { Principal } from '../../plugins/auth.js';
import { findAccount } from '../accounts/accounts.queries.js';
import { findActiveUser } from '../surveys/invitations.queries.js';
import {
  type ActionChanges,
  type ActionRow,
  type ActionScope,
  findAction,
  findWave,
  insertAction,
  listWaveCriteria,
  updateAction,
} from './actions.queries.js';
import type { CreateActionBody, PatchActionBody } from './actions.schemas.js';

/** A KAM reads and writes the actions of their own accounts only; managers and admins all of them. */
export function scopeOf(principal: Principal): ActionScope {
  return principal.role === 'kam' ? { kamUserId: principal.userId } : {};
}

export interface Warning {
  code: 'DUE_DATE_PAST';
  message: string;
}

const ZONE = 'Europe/Oslo';
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today as 'YYYY-MM-DD' in Norway, where the product's users are, whatever the server's zone. */
export function todayInNorway(now: Date = new Date()): string {
  return dayFormat.format(now);
}

/** An action not done whose due date has passed. */
export function isOverdue(action: Pick<ActionRow, 'dueDate' | 'status'>, today = todayInNorway()): boolean {
  return action.status !== 'done' && action.dueDate !== null && action.dueDate < today;
}

/** A due date in the past is allowed (an action recorded after the fact), with a warning. */
function warningsFor(dueDate: string | null | undefined): Warning[] {
  if (!dueDate || dueDate >= todayInNorway()) return [];
  return [{ code: 'DUE_DATE_PAST', message: `The due date ${dueDate} is in the past` }];
}

const refused = (code: string, field: string, message: string) =>
  new HttpError(400, code, message, [{ field, message }]);

/**
 * The owner must be an active user of the organisation; a KAM can own only actions on their own accounts
 * (a KAM sees nothing else, so an action they could not see would be theirs in name only).
 */
async function checkOwner(
  db: Db,
  organizationId: string,
  ownerUserId: string | null | undefined,
  accountId: string | null,
) {
  if (!ownerUserId) return;
  const owner = await findActiveUser(db, organizationId, ownerUserId);
  if (!owner) {
    throw refused('UNKNOWN_OWNER', 'ownerUserId', 'The owner must be an active user of the organisation');
  }
  if (owner.role !== 'kam') return;
  const account = accountId === null ? undefined : await findAccount(db, organizationId, accountId);
  if (account?.kamUserId !== ownerUserId) {
    throw refused('OWNER_OUT_OF_SCOPE', 'ownerUserId', 'A KAM can own actions on their own accounts only');
  }
}

/**
 * Records an action on a criterion of a wave. The wave is the principal's organisation's (else 404); the
 * criterion the wave's own (else 400); the owner an active user and the account one of the organisation's
 * (else 400). A KAM acts for an account of their own: none given is 400, another KAM's 403.
 */
export async function createAction(
  db: Db,
  principal: Principal,
  surveyId: string,
  body: CreateActionBody,
): Promise<{ action: ActionRow; warnings: Warning[] }> {
  const { organizationId } = principal;
  const wave = await findWave(db, organizationId, surveyId);
  if (!wave) throw notFound('Survey not found');

  const criteria = await listWaveCriteria(db, organizationId, surveyId);
  const criterion =
    body.criterionId !== undefined
      ? criteria.find((c) => c.id === body.criterionId)
      : criteria.find((c) => c.key !== null && c.key === body.criterionKey);
  if (!criterion) {
    throw refused(
      'UNKNOWN_CRITERION',
      body.criterionId !== undefined ? 'criterionId' : 'criterionKey',
      'The wave has no such criterion',
    );
  }

  const accountId = body.accountId ?? null;
  if (accountId !== null) {
    const account = await findAccount(db, organizationId, accountId);
    if (!account) throw refused('UNKNOWN_ACCOUNT', 'accountId', 'No such account in the organisation');
    if (principal.role === 'kam' && account.kamUserId !== principal.userId) {
      throw new HttpError(403, 'FORBIDDEN', 'A KAM records actions for their own accounts only');
    }
  } else if (principal.role === 'kam') {
    throw refused('ACCOUNT_REQUIRED', 'accountId', 'A KAM records an action for one of their accounts');
  }
  await checkOwner(db, organizationId, body.ownerUserId, accountId);

  const id = await insertAction(db, organizationId, {
    surveyId,
    surveyCriterionId: criterion.id,
    accountId,
    ownerUserId: body.ownerUserId ?? null,
    createdByUserId: principal.userId,
    title: body.title,
    dueDate: body.dueDate ?? null,
    status: body.status ?? 'planned',
    note: body.note ?? null,
  });
  const action = await findAction(db, organizationId, id, scopeOf(principal));
  if (!action) throw notFound();
  return { action, warnings: warningsFor(body.dueDate) };
}

/**
 * Changes an action the principal may see (another organisation's, or for a KAM one outside their accounts,
 * is 404: its existence is not revealed).
 */
export async function changeAction(
  db: Db,
  principal: Principal,
  actionId: string,
  body: PatchActionBody,
  options: { surveyId?: string } = {},
): Promise<{ action: ActionRow; warnings: Warning[] }> {
  const { organizationId } = principal;
  const scope = scopeOf(principal);
  const before = await findAction(db, organizationId, actionId, scope);
  if (!before || (options.surveyId !== undefined && before.surveyId !== options.surveyId)) {
    throw notFound('Action not found');
  }
  await checkOwner(db, organizationId, body.ownerUserId, before.accountId);
  const changes: ActionChanges = body;
  if (!(await updateAction(db, organizationId, actionId, changes, scope))) throw notFound('Action not found');
  const action = await findAction(db, organizationId, actionId, scope);
  if (!action) throw notFound('Action not found');
  return { action, warnings: warningsFor(body.dueDate) };
}

/** An action as the JSON API shows it; the criterion's label in its wave's language. */
export function actionJson(action: ActionRow) {
  return {
    id: action.id,
    surveyId: action.surveyId,
    criterionKey: action.criterionKey,
    criterionId: action.surveyCriterionId,
    criterionLabel: action.surveyLanguage === 'en' ? action.labelEn : action.labelNb,
    title: action.title,
    accountId: action.accountId,
    ownerUserId: action.ownerUserId,
    dueDate: action.dueDate,
    status: action.status,
    note: action.note,
    createdAt: action.createdAt,
    updatedAt: action.updatedAt,
  };
}
