import { sql } from 'kysely';
import type { ActionStatus, Db, Language } from '../../db/database.js';

/**
 * Who reads: a KAM (`kamUserId`) sees only the actions on their own accounts — not another KAM's, and not
 * the wave-wide actions without an account, which belong to no portfolio. Managers and admins see all.
 */
export interface ActionScope {
  kamUserId?: string;
}

export interface ActionRow {
  id: string;
  surveyId: string;
  surveyName: string;
  surveyLanguage: Language;
  /** The wave's survey criterion. */
  surveyCriterionId: string;
  /** Its key, null when it has none. */
  criterionKey: string | null;
  /** The library criterion it was made from, null when it has none. */
  libraryCriterionId: string | null;
  criterionPosition: number;
  labelNb: string;
  labelEn: string;
  title: string;
  accountId: string | null;
  accountName: string | null;
  /** The account's segment and KAM now, as the report's filters read them. */
  accountSegment: string | null;
  accountKamUserId: string | null;
  ownerUserId: string | null;
  ownerName: string | null;
  /** 'YYYY-MM-DD' */
  dueDate: string | null;
  status: ActionStatus;
  note: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Actions with their criterion, wave, account and owner, scoped to the organisation and the reader. */
function selectActions(db: Db, organizationId: string, scope: ActionScope) {
  let query = db
    .selectFrom('actions as a')
    .innerJoin('survey_criteria as sc', (join) =>
      join
        .onRef('sc.organization_id', '=', 'a.organization_id')
        .onRef('sc.survey_id', '=', 'a.survey_id')
        .onRef('sc.id', '=', 'a.survey_criterion_id'),
    )
    .innerJoin('surveys as s', (join) =>
      join.onRef('s.organization_id', '=', 'a.organization_id').onRef('s.id', '=', 'a.survey_id'),
    )
    .leftJoin('accounts as acc', (join) =>
      join.onRef('acc.organization_id', '=', 'a.organization_id').onRef('acc.id', '=', 'a.account_id'),
    )
    .leftJoin('users as owner', (join) =>
      join.onRef('owner.organization_id', '=', 'a.organization_id').onRef('owner.id', '=', 'a.owner_user_id'),
    )
    .select([
      'a.id',
      'a.survey_id as surveyId',
      's.name as surveyName',
      's.language as surveyLanguage',
      'a.survey_criterion_id as surveyCriterionId',
      'sc.key as criterionKey',
      'sc.criterion_id as libraryCriterionId',
      'sc.position as criterionPosition',
      'sc.label_nb as labelNb',
      'sc.label_en as labelEn',
      'a.title',
      'a.account_id as accountId',
      'acc.name as accountName',
      'acc.segment as accountSegment',
      'acc.kam_user_id as accountKamUserId',
      'a.owner_user_id as ownerUserId',
      'owner.name as ownerName',
      sql<string | null>`a.due_date::text`.as('dueDate'),
      'a.status',
      'a.note',
      'a.created_at as createdAt',
      'a.updated_at as updatedAt',
    ])
    .where('a.organization_id', '=', organizationId);
  if (scope.kamUserId !== undefined) query = query.where('acc.kam_user_id', '=', scope.kamUserId);
  return query;
}

/**
 * A wave's actions as the reader may see them, in the wave's criterion order, then by due date (none last)
 * and creation. Each row names its criterion by key and by library criterion, so a later wave's report can
 * match it to its own criteria (same key, else same library criterion).
 */
export function listActionsOfWave(
  db: Db,
  organizationId: string,
  surveyId: string,
  scope: ActionScope,
): Promise<ActionRow[]> {
  return selectActions(db, organizationId, scope)
    .where('a.survey_id', '=', surveyId)
    .orderBy('sc.position')
    .orderBy(sql`a.due_date nulls last`)
    .orderBy('a.created_at')
    .orderBy('a.id')
    .execute();
}

/** One action, if the reader may see it. */
export function findAction(
  db: Db,
  organizationId: string,
  actionId: string,
  scope: ActionScope,
): Promise<ActionRow | undefined> {
  return selectActions(db, organizationId, scope).where('a.id', '=', actionId).executeTakeFirst();
}

/**
 * Open actions (planned or in progress) across waves, or with one status: those owned by `ownerUserId`, or
 * every owner's when it is undefined. Earliest due date first.
 */
export function listActionsByOwner(
  db: Db,
  organizationId: string,
  filter: { ownerUserId?: string; status: 'open' | ActionStatus },
  scope: ActionScope,
): Promise<ActionRow[]> {
  let query = selectActions(db, organizationId, scope);
  if (filter.ownerUserId !== undefined) query = query.where('a.owner_user_id', '=', filter.ownerUserId);
  query =
    filter.status === 'open'
      ? query.where('a.status', '<>', 'done')
      : query.where('a.status', '=', filter.status);
  return query
    .orderBy(sql`a.due_date nulls last`)
    .orderBy('s.created_at', 'desc')
    .orderBy('sc.position')
    .orderBy('a.id')
    .limit(1000)
    .execute();
}

/** The wave's criteria with what identifies them across waves. */
export function listWaveCriteria(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('survey_criteria')
    .select([
      'id',
      'key',
      'criterion_id as libraryCriterionId',
      'label_nb as labelNb',
      'label_en as labelEn',
      'audience',
    ])
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .orderBy('position')
    .execute();
}

export function findWave(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('surveys')
    .select(['id', 'name', 'language'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .executeTakeFirst();
}

/** The organisation's active users, who may own an action. */
export function listActiveUsers(db: Db, organizationId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('organization_id', '=', organizationId)
    .where('active', '=', true)
    .orderBy('name')
    .execute();
}

/** The organisation's accounts, or a KAM's own. */
export function listAccountsFor(db: Db, organizationId: string, scope: ActionScope) {
  let query = db
    .selectFrom('accounts')
    .select(['id', 'name', 'kam_user_id as kamUserId'])
    .where('organization_id', '=', organizationId);
  if (scope.kamUserId !== undefined) query = query.where('kam_user_id', '=', scope.kamUserId);
  return query.orderBy(sql`lower(name)`).execute();
}

export interface NewAction {
  surveyId: string;
  surveyCriterionId: string;
  accountId: string | null;
  ownerUserId: string | null;
  createdByUserId: string;
  title: string;
  dueDate: string | null;
  status: ActionStatus;
  note: string | null;
}

export async function insertAction(db: Db, organizationId: string, action: NewAction): Promise<string> {
  const { id } = await db
    .insertInto('actions')
    .values({
      organization_id: organizationId,
      survey_id: action.surveyId,
      survey_criterion_id: action.surveyCriterionId,
      account_id: action.accountId,
      owner_user_id: action.ownerUserId,
      created_by_user_id: action.createdByUserId,
      title: action.title,
      due_date: action.dueDate,
      status: action.status,
      note: action.note,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export interface ActionChanges {
  status?: ActionStatus;
  note?: string | null;
  title?: string;
  ownerUserId?: string | null;
  dueDate?: string | null;
}

/** Applies the changes and bumps updated_at; false when no such action in the reader's scope. */
export async function updateAction(
  db: Db,
  organizationId: string,
  actionId: string,
  changes: ActionChanges,
  scope: ActionScope,
): Promise<boolean> {
  let query = db
    .updateTable('actions')
    .set({
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.note !== undefined ? { note: changes.note } : {}),
      ...(changes.title !== undefined ? { title: changes.title } : {}),
      ...(changes.ownerUserId !== undefined ? { owner_user_id: changes.ownerUserId } : {}),
      ...(changes.dueDate !== undefined ? { due_date: changes.dueDate } : {}),
      updated_at: sql`now()`,
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', actionId);
  const { kamUserId } = scope;
  if (kamUserId !== undefined) {
    query = query.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('accounts')
          .select('accounts.id')
          .whereRef('accounts.organization_id', '=', 'actions.organization_id')
          .whereRef('accounts.id', '=', 'actions.account_id')
          .where('accounts.kam_user_id', '=', kamUserId),
      ),
    );
  }
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
