import { type RawBuilder, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { CrossProductTotals } from '../../analysis/drivers.js';
import type { ReliabilitySeries } from '../../analysis/reliability.js';
import type { Aggregate } from '../../analysis/statistics.js';
import type { Audience, Db, Dimension, RespondentRole } from '../../db/database.js';
import { compiledOnce } from '../../db/prepared.js';
import { type SeriesWave, seriesChain } from '../surveys/series.queries.js';
import { effectiveStatus } from '../surveys/surveys.queries.js';

/** Filters on the customer series; sellers belong to no account, so their series is organisation-wide. */
export interface CustomerFilter {
  accountId?: string | undefined;
  segment?: string | undefined;
  kamUserId?: string | undefined;
}

export function findReportSurvey(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('surveys')
    .innerJoin('organizations', 'organizations.id', 'surveys.organization_id')
    .select([
      'surveys.id',
      'surveys.name',
      effectiveStatus.as('status'),
      'surveys.language',
      'surveys.crosshair',
      'surveys.opened_at as openedAt',
      'surveys.closes_at as closesAt',
      'surveys.closed_at as closedAt',
      'organizations.small_sample_threshold as smallSampleThreshold',
      'surveys.overall_question as overallQuestion',
      'surveys.confidential',
      'organizations.min_group_size as minGroupSize',
    ])
    .where('surveys.organization_id', '=', organizationId)
    .where('surveys.id', '=', surveyId)
    .executeTakeFirst();
}

export type ReportSurvey = NonNullable<Awaited<ReturnType<typeof findReportSurvey>>>;

/**
 * A report's wave (as findReportSurvey reads it) and the waves of its series (as listSeries lists them), in
 * one statement; `survey` undefined (and no series) when the wave is not the organisation's.
 */
export async function findReportWaves(
  db: Db,
  organizationId: string,
  surveyId: string,
): Promise<{ survey: ReportSurvey | undefined; series: SeriesWave[] }> {
  const { rows } = await sql<ReportSurvey & { createdAt: Date }>`${seriesChain(organizationId, surveyId)}
    select surveys.id, surveys.name, ${effectiveStatus} as status, surveys.language, surveys.crosshair,
      surveys.opened_at as "openedAt", surveys.closes_at as "closesAt", surveys.closed_at as "closedAt",
      surveys.created_at as "createdAt",
      organizations.small_sample_threshold as "smallSampleThreshold",
      surveys.overall_question as "overallQuestion", surveys.confidential,
      organizations.min_group_size as "minGroupSize"
    from chain
    join surveys on surveys.organization_id = ${organizationId} and surveys.id = chain.id
    join organizations on organizations.id = surveys.organization_id
    order by chain.position`.execute(db);
  const found = rows.find((row) => row.id === surveyId);
  // The wave's columns are findReportSurvey's plus the creation time its series needs (a test holds them equal).
  const survey = found && (({ createdAt: _, ...columns }) => columns)(found);
  return {
    survey,
    series: rows.map(({ id, name, status, openedAt, closedAt, createdAt }) => ({
      id,
      name,
      status,
      openedAt,
      closedAt,
      createdAt,
    })),
  };
}

const hasFilter = (filter: CustomerFilter) =>
  filter.accountId !== undefined || filter.segment !== undefined || filter.kamUserId !== undefined;

/**
 * The customer filter as a condition on the account_id column of `responses`, `response_counts` or a
 * totals table: an account, a segment, a KAM. The accounts subquery names the organisation as
 * a value, so PostgreSQL runs it once and hashes it; sellers, who have no account, are kept by the caller.
 */
function customerMatches(
  organizationId: string,
  filter: CustomerFilter,
  table: 'responses' | 'response_counts' | 'criterion_totals' | 'account_totals',
) {
  const accountId = sql.ref(`${table}.account_id`);
  const conditions: RawBuilder<boolean>[] = [];
  if (filter.accountId !== undefined) conditions.push(sql<boolean>`${accountId} = ${filter.accountId}`);
  if (filter.segment !== undefined || filter.kamUserId !== undefined) {
    const segment = filter.segment === undefined ? sql`` : sql` and segment = ${filter.segment}`;
    const kam = filter.kamUserId === undefined ? sql`` : sql` and kam_user_id = ${filter.kamUserId}`;
    conditions.push(
      sql<boolean>`${accountId} in (select id from accounts where organization_id = ${organizationId}${segment}${kam})`,
    );
  }
  return sql<boolean>`(${sql.join(conditions, sql` and `)})`;
}

export interface AggregateRow {
  criterionId: string;
  role: RespondentRole;
  dimension: Dimension;
  n: number;
  sum: number;
  sumSquares: number;
}

/**
 * The running totals of one criterion and role summed over the accounts under the filter (sellers: their
 * organisation-wide row), as `criterion_totals` keeps them (migration criterion-totals); every sum a number.
 */
export interface CriterionSums {
  criterionId: string;
  role: RespondentRole;
  importanceN: number;
  importanceSum: number;
  importanceSquares: number;
  performanceN: number;
  performanceSum: number;
  performanceSquares: number;
  driverN: number;
  driverX: number;
  driverY: number;
  driverXX: number;
  driverYY: number;
  driverXY: number;
  importanceSeriesN: number;
  importanceSeriesSum: number;
  importanceSeriesSquares: number;
  importanceSeriesWithTotal: number;
  performanceSeriesN: number;
  performanceSeriesSum: number;
  performanceSeriesSquares: number;
  performanceSeriesWithTotal: number;
}

/** The totals of `account_totals` per role, summed as CriterionSums are. */
export interface AccountSums {
  role: RespondentRole;
  satisfactionN: number;
  satisfactionSum: number;
  satisfactionSquares: number;
  importanceSeriesN: number;
  importanceSeriesSum: number;
  importanceSeriesSquares: number;
  performanceSeriesN: number;
  performanceSeriesSum: number;
  performanceSeriesSquares: number;
}

const CRITERION_SUMS: ReadonlyArray<readonly [Exclude<keyof CriterionSums, 'criterionId' | 'role'>, string]> =
  [
    ['importanceN', 'importance_n'],
    ['importanceSum', 'importance_sum'],
    ['importanceSquares', 'importance_squares'],
    ['performanceN', 'performance_n'],
    ['performanceSum', 'performance_sum'],
    ['performanceSquares', 'performance_squares'],
    ['driverN', 'driver_n'],
    ['driverX', 'driver_x'],
    ['driverY', 'driver_y'],
    ['driverXX', 'driver_xx'],
    ['driverYY', 'driver_yy'],
    ['driverXY', 'driver_xy'],
    ['importanceSeriesN', 'importance_series_n'],
    ['importanceSeriesSum', 'importance_series_sum'],
    ['importanceSeriesSquares', 'importance_series_squares'],
    ['importanceSeriesWithTotal', 'importance_series_with_total'],
    ['performanceSeriesN', 'performance_series_n'],
    ['performanceSeriesSum', 'performance_series_sum'],
    ['performanceSeriesSquares', 'performance_series_squares'],
    ['performanceSeriesWithTotal', 'performance_series_with_total'],
  ];
const ACCOUNT_SUMS: ReadonlyArray<readonly [Exclude<keyof AccountSums, 'role'>, string]> = [
  ['satisfactionN', 'satisfaction_n'],
  ['satisfactionSum', 'satisfaction_sum'],
  ['satisfactionSquares', 'satisfaction_squares'],
  ['importanceSeriesN', 'importance_series_n'],
  ['importanceSeriesSum', 'importance_series_sum'],
  ['importanceSeriesSquares', 'importance_series_squares'],
  ['performanceSeriesN', 'performance_series_n'],
  ['performanceSeriesSum', 'performance_series_sum'],
  ['performanceSeriesSquares', 'performance_series_squares'],
];

/** Each total summed (as float8: exact for integers far beyond any wave, and a number in JSON). */
const sums = (
  table: 'criterion_totals' | 'account_totals',
  columns: ReadonlyArray<readonly [string, string]>,
) => columns.map(([alias, column]) => sql<number>`sum(${sql.ref(`${table}.${column}`)})::float8`.as(alias));

/** A totals row without an account is the sellers'. */
const roleOf = (table: 'criterion_totals' | 'account_totals') =>
  sql<RespondentRole>`case when ${sql.ref(`${table}.account_id`)} is null then 'seller' else 'customer' end`;

/**
 * Rows of `table` in the wave whose account is under the filter and the sellers' row (which has none), or
 * only those of `role`.
 */
function totalsOfWave<T extends 'criterion_totals' | 'account_totals'>(
  db: Db,
  table: T,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
  role?: RespondentRole,
) {
  const accountId = sql.ref(`${table}.account_id`);
  return db
    .selectFrom(table as 'criterion_totals' | 'account_totals')
    .where(sql.ref(`${table}.organization_id`), '=', organizationId)
    .where(sql.ref(`${table}.survey_id`), '=', surveyId)
    .$if(role !== undefined, (query) => query.where(accountId, role === 'seller' ? 'is' : 'is not', null))
    .$if(hasFilter(filter) && role !== 'seller', (query) =>
      query.where((eb) =>
        role === 'customer'
          ? customerMatches(organizationId, filter, table)
          : eb.or([eb(accountId, 'is', null), customerMatches(organizationId, filter, table)]),
      ),
    );
}

/**
 * Every running total of the wave per criterion and role, summed over the accounts under the filter: at
 * most criteria × accounts rows, whatever the number of respondents. Each criterion of the wave and role is
 * one range of the totals' key (criterion before account), summed in key order: it reads only this wave's
 * rows however many waves the table holds (a scan of the table grouped by criterion took about 1.8× as
 * long with three waves of 10 000 respondents in it, and grew with each).
 */
export function criterionSumsQuery(db: Db, organizationId: string, surveyId: string, filter: CustomerFilter) {
  const ofRole = (role: RespondentRole) =>
    db
      .selectFrom('survey_criteria')
      .innerJoinLateral(
        totalsOfWave(db, 'criterion_totals', organizationId, surveyId, filter, role)
          .where(sql<boolean>`criterion_totals.survey_criterion_id = survey_criteria.id`)
          .select(sums('criterion_totals', CRITERION_SUMS))
          .as('totals'),
        (join) => join.onTrue(),
      )
      .select(['survey_criteria.id as criterionId', sql<RespondentRole>`${sql.lit(role)}::text`.as('role')])
      .selectAll('totals')
      .where('survey_criteria.organization_id', '=', organizationId)
      .where('survey_criteria.survey_id', '=', surveyId)
      // A sum over no rows is null: a criterion without totals for the role has no row.
      .where(sql.ref('totals.importanceN'), 'is not', null);
  return ofRole('customer').unionAll(ofRole('seller')).$castTo<CriterionSums>();
}

/** The per-account totals of the wave per role, summed over the accounts under the filter. */
function accountSumsQuery(db: Db, organizationId: string, surveyId: string, filter: CustomerFilter) {
  return totalsOfWave(db, 'account_totals', organizationId, surveyId, filter)
    .select([roleOf('account_totals').as('role'), ...sums('account_totals', ACCOUNT_SUMS)])
    .groupBy(sql`account_totals.account_id is null`)
    .$castTo<AccountSums>();
}

/**
 * The running totals of one wave under the filter, in one statement (each part an array of JSON, so one
 * round trip): the criterion and account totals.
 */
export function waveTotalsQuery(db: Db, organizationId: string, surveyId: string, filter: CustomerFilter) {
  return db.selectNoFrom([
    jsonArrayFrom(criterionSumsQuery(db, organizationId, surveyId, filter)).as('criterionSums'),
    jsonArrayFrom(accountSumsQuery(db, organizationId, surveyId, filter)).as('accountSums'),
  ]);
}

/** count, sum and sum of squares per criterion × role × dimension with any score (from CriterionSums). */
export function answersOf(rows: readonly CriterionSums[]): AggregateRow[] {
  return rows.flatMap((row) =>
    (
      [
        ['importance', row.importanceN, row.importanceSum, row.importanceSquares],
        ['performance', row.performanceN, row.performanceSum, row.performanceSquares],
      ] as const
    )
      .filter(([, n]) => n > 0)
      .map(([dimension, n, sum, sumSquares]) => ({
        criterionId: row.criterionId,
        role: row.role,
        dimension,
        n,
        sum,
        sumSquares,
      })),
  );
}

/**
 * count, sum and sum of squares per criterion × role × dimension over submitted responses, from the running
 * totals (criterionSumsQuery): a report reads at most criteria × accounts rows, never every answer.
 */
export async function aggregateAnswers(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<AggregateRow[]> {
  return answersOf(await criterionSumsQuery(db, organizationId, surveyId, filter).execute());
}

export interface WaveStatisticsTotals {
  satisfaction: Aggregate;
  drivers: Array<CrossProductTotals & { criterionId: string }>;
  /** Per series its totals row (criterionId null: n, ΣT, ΣT², ΣT²) and one row per criterion (n, Σx, Σx², Σx·T). */
  reliability: Array<{
    series: ReliabilitySeries;
    criterionId: string | null;
    n: number;
    sum: number;
    sumSquares: number;
    sumWithTotal: number;
  }>;
}

/**
 * What overall satisfaction, derived importance and Cronbach's α need (issue 12), from the wave's totals:
 * the customers' overall scores; per criterion the cross-products of delivery and overall score; per series
 * the listwise totals. Sellers' reliability is organisation-wide, as their series is. A series' totals row
 * has T for its item, so ΣT·T is ΣT².
 */
export function statisticsOf(
  criterionSums: readonly CriterionSums[],
  accountSums: readonly AccountSums[],
): WaveStatisticsTotals {
  const reliability: WaveStatisticsTotals['reliability'] = [];
  const add = (
    series: ReliabilitySeries,
    criterionId: string | null,
    n: number,
    sum: number,
    sumSquares: number,
    sumWithTotal: number,
  ) => {
    if (n > 0) reliability.push({ series, criterionId, n, sum, sumSquares, sumWithTotal });
  };
  const importanceSeries = (role: RespondentRole) =>
    role === 'seller' ? 'sellerImportance' : 'customerImportance';
  for (const row of accountSums) {
    const importanceSquares = row.importanceSeriesSquares;
    add(
      importanceSeries(row.role),
      null,
      row.importanceSeriesN,
      row.importanceSeriesSum,
      importanceSquares,
      importanceSquares,
    );
    if (row.role === 'customer') {
      const performanceSquares = row.performanceSeriesSquares;
      add(
        'customerPerformance',
        null,
        row.performanceSeriesN,
        row.performanceSeriesSum,
        performanceSquares,
        performanceSquares,
      );
    }
  }
  for (const row of criterionSums) {
    const { criterionId } = row;
    add(
      importanceSeries(row.role),
      criterionId,
      row.importanceSeriesN,
      row.importanceSeriesSum,
      row.importanceSeriesSquares,
      row.importanceSeriesWithTotal,
    );
    if (row.role === 'customer') {
      add(
        'customerPerformance',
        criterionId,
        row.performanceSeriesN,
        row.performanceSeriesSum,
        row.performanceSeriesSquares,
        row.performanceSeriesWithTotal,
      );
    }
  }
  const customers = accountSums.find((row) => row.role === 'customer');
  return {
    satisfaction: {
      n: customers?.satisfactionN ?? 0,
      sum: customers?.satisfactionSum ?? 0,
      sumSquares: customers?.satisfactionSquares ?? 0,
    },
    drivers: criterionSums
      .filter((row) => row.role === 'customer' && row.driverN > 0)
      .map((row) => ({
        criterionId: row.criterionId,
        n: row.driverN,
        sumX: row.driverX,
        sumY: row.driverY,
        sumXX: row.driverXX,
        sumYY: row.driverYY,
        sumXY: row.driverXY,
      })),
    reliability,
  };
}

/** The statistics' totals of a wave under the filter (statisticsOf), in one statement. */
export async function aggregateStatistics(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<WaveStatisticsTotals> {
  const totals = await waveTotalsQuery(db, organizationId, surveyId, filter).executeTakeFirstOrThrow();
  return statisticsOf(totals.criterionSums, totals.accountSums);
}

/** The same numbers computed from every submitted answer: what the totals replace (benchmark, tests). */
export function aggregateAnswersFromScratch(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('answers')
    .select([
      'survey_criterion_id as criterionId',
      'role',
      'dimension',
      sql<number>`count(score)::int`.as('n'),
      sql<number>`coalesce(sum(score), 0)::float8`.as('sum'),
      sql<number>`coalesce(sum(score::int * score::int), 0)::float8`.as('sumSquares'),
    ])
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .where('response_status', '=', 'submitted')
    .groupBy(['survey_criterion_id', 'role', 'dimension']);
}

export type ResponseCounts = Record<RespondentRole, { invited: number; responded: number }>;

/**
 * Invited = invitations not revoked; responded = their submitted responses. Customers under the filter
 * (none: the whole wave, as the wave page shows it). They come from `response_counts`, which triggers on
 * `invitations` and `responses` keep per account (migration response-counts): at most roles × accounts
 * rows, never every invitation.
 */
export async function countResponses(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter = {},
): Promise<ResponseCounts> {
  return responseCountsOf(await responseCountsQuery(db, organizationId, surveyId, filter).execute());
}

function responseCountsQuery(db: Db, organizationId: string, surveyId: string, filter: CustomerFilter) {
  let query = db
    .selectFrom('response_counts')
    .select([
      'response_counts.role',
      sql<number>`sum(response_counts.invited)::int`.as('invited'),
      sql<number>`sum(response_counts.responded)::int`.as('responded'),
    ])
    .where('response_counts.organization_id', '=', organizationId)
    .where('response_counts.survey_id', '=', surveyId)
    .groupBy('response_counts.role');
  if (hasFilter(filter)) {
    query = query.where((eb) =>
      eb.or([
        eb('response_counts.role', '=', 'seller'),
        customerMatches(organizationId, filter, 'response_counts'),
      ]),
    );
  }
  return query;
}

function responseCountsOf(
  rows: ReadonlyArray<{ role: RespondentRole; invited: number; responded: number }>,
): ResponseCounts {
  const counts: ResponseCounts = {
    customer: { invited: 0, responded: 0 },
    seller: { invited: 0, responded: 0 },
  };
  for (const { role, invited, responded } of rows) counts[role] = { invited, responded };
  return counts;
}

/** Submitted customer responses of one account in one wave, with the account's segment and KAM now. */
export interface WaveAccountCount {
  surveyId: string;
  /** The wave's own promise: its cuts are judged only when it is confidential. */
  confidential: boolean;
  accountId: string | null;
  segment: string | null;
  kamUserId: string | null;
  responded: number;
}

/**
 * Every cut's size in the waves (issue 13): customers' submitted responses per wave × account from
 * `response_counts`, each with its account's segment and KAM (as the report's filters read them) and its
 * wave's confidential flag, in one query over every account of the organisation — the cuts the reader
 * could compare with are computed from them in memory (analysis/confidentiality.ts), never filtered here.
 * Accounts without a submitted response are left out: they add to no cut, and a cut of theirs alone is
 * empty either way.
 */
export function countCustomersByAccount(
  db: Db,
  organizationId: string,
  surveyIds: readonly string[],
): Promise<WaveAccountCount[]> {
  return customersByAccountQuery(db, organizationId, surveyIds).execute();
}

function customersByAccountQuery(db: Db, organizationId: string, surveyIds: readonly string[]) {
  // One row of response_counts per wave × role × account (its key): nothing to group.
  return db
    .selectFrom('response_counts')
    .innerJoin('surveys', (join) =>
      join
        .onRef('surveys.organization_id', '=', 'response_counts.organization_id')
        .onRef('surveys.id', '=', 'response_counts.survey_id'),
    )
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'response_counts.organization_id')
        .onRef('accounts.id', '=', 'response_counts.account_id'),
    )
    .select([
      'response_counts.survey_id as surveyId',
      'surveys.confidential',
      'response_counts.account_id as accountId',
      'accounts.segment',
      'accounts.kam_user_id as kamUserId',
      sql<number>`response_counts.responded::int`.as('responded'),
    ])
    .where('response_counts.organization_id', '=', organizationId)
    .where('response_counts.survey_id', 'in', surveyIds)
    .where('response_counts.role', '=', 'customer')
    .where('response_counts.responded', '>', sql<string>`0`);
}

/**
 * What judging the report's cut needs of its wave (waveSuppressions): nothing for an open wave, which hides
 * nothing; for a confidential one its customers' responses per account (countCustomersByAccount). Without
 * a filter, and so for a manager's or an admin's whole organisation, one row stands for all its accounts:
 * the only cut that contains the whole organisation is itself, so its size alone decides.
 */
function cutSizesQuery(db: Db, organizationId: string, surveyId: string, filter: CustomerFilter) {
  const accounts = customersByAccountQuery(db, organizationId, [surveyId]).where(
    'surveys.confidential',
    '=',
    true,
  );
  if (hasFilter(filter)) return accounts;
  return db
    .selectFrom(accounts.as('account'))
    .select([
      'account.surveyId',
      'account.confidential',
      sql<null>`null::uuid`.as('accountId'),
      sql<null>`null::text`.as('segment'),
      sql<null>`null::uuid`.as('kamUserId'),
      sql<number>`sum(account.responded)::int`.as('responded'),
    ])
    .groupBy(['account.surveyId', 'account.confidential']);
}

/** The criteria of several waves, each with what identifies it across waves (key, library criterion). */
export function listWaveCriteria(db: Db, organizationId: string, surveyIds: readonly string[]) {
  return waveCriteriaQuery(db, organizationId, surveyIds).execute();
}

function waveCriteriaQuery(db: Db, organizationId: string, surveyIds: readonly string[]) {
  return db
    .selectFrom('survey_criteria')
    .select([
      'id',
      'survey_id as surveyId',
      'key',
      'criterion_id as criterionId',
      'label_nb as labelNb',
      'label_en as labelEn',
      'audience',
    ])
    .where('organization_id', '=', organizationId)
    .where('survey_id', 'in', surveyIds)
    .orderBy('survey_id')
    .orderBy('position');
}

/**
 * What a report reads of one wave under the filter, each part an array of JSON: its criteria in order, its
 * totals (waveTotalsQuery), its invited and responded counts (countResponses) and what judging its cut
 * needs (cutSizesQuery). The benchmark times it as the report's aggregate SQL.
 */
export function waveFiguresQuery(db: Db, organizationId: string, surveyId: string, filter: CustomerFilter) {
  return db.selectNoFrom([
    jsonArrayFrom(waveCriteriaQuery(db, organizationId, [surveyId])).as('criteria'),
    jsonArrayFrom(criterionSumsQuery(db, organizationId, surveyId, filter)).as('criterionSums'),
    jsonArrayFrom(accountSumsQuery(db, organizationId, surveyId, filter)).as('accountSums'),
    jsonArrayFrom(responseCountsQuery(db, organizationId, surveyId, filter)).as('counts'),
    jsonArrayFrom(cutSizesQuery(db, organizationId, surveyId, filter)).as('accounts'),
  ]);
}

type WaveFiguresRow = Awaited<ReturnType<ReturnType<typeof waveFiguresQuery>['executeTakeFirstOrThrow']>>;

/** A wave's figures as a report uses them: its totals as answers (aggregateAnswers) and statistics (aggregateStatistics). */
function figuresOf(row: WaveFiguresRow) {
  return {
    criteria: row.criteria,
    answers: answersOf(row.criterionSums),
    statistics: statisticsOf(row.criterionSums, row.accountSums),
    counts: responseCountsOf(row.counts),
    accounts: row.accounts,
  };
}

export type WaveFigures = ReturnType<typeof figuresOf>;

/** waveFiguresQuery compiled once per filter shape (which of the filter's fields are given). */
const compiledWaveFigures = compiledOnce(
  'wave figures',
  (
    db: Db,
    {
      organizationId,
      surveyId,
      ...filter
    }: {
      organizationId: string;
      surveyId: string;
      accountId: string | undefined;
      segment: string | undefined;
      kamUserId: string | undefined;
    },
  ) => waveFiguresQuery(db, organizationId, surveyId, filter),
);

/** What a report reads of one wave under the filter (waveFiguresQuery), in one statement. */
export async function readWaveFigures(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<WaveFigures> {
  const query = compiledWaveFigures(db, {
    organizationId,
    surveyId,
    accountId: filter.accountId,
    segment: filter.segment,
    kamUserId: filter.kamUserId,
  });
  const [row] = (await db.executeQuery(query)).rows;
  if (!row) throw new Error('the wave figures statement returned no row');
  return figuresOf(row);
}

/** A row of a report by segment: a customer row belongs to its account's segment; sellers have none. */
export interface SegmentAggregateRow extends AggregateRow {
  segment: string | null;
}

/**
 * aggregateAnswers split by the accounts' segment (the account's segment now, as the report's segment
 * filter reads it), in one query over the same running totals: customer rows carry their segment (null:
 * accounts without one), seller rows the organisation-wide series (segment null, told apart by role).
 */
export async function aggregateAnswersBySegment(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<SegmentAggregateRow[]> {
  const rows = await totalsOfWave(db, 'criterion_totals', organizationId, surveyId, filter)
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'criterion_totals.organization_id')
        .onRef('accounts.id', '=', 'criterion_totals.account_id'),
    )
    .select([
      'accounts.segment',
      'criterion_totals.survey_criterion_id as criterionId',
      roleOf('criterion_totals').as('role'),
      ...sums('criterion_totals', CRITERION_SUMS),
    ])
    .groupBy([
      'accounts.segment',
      'criterion_totals.survey_criterion_id',
      sql`criterion_totals.account_id is null`,
    ])
    .$castTo<CriterionSums & { segment: string | null }>()
    .execute();
  return rows.flatMap((row) => answersOf([row]).map((answer) => ({ ...answer, segment: row.segment })));
}

export interface SegmentCounts {
  /** Per segment of the customers' accounts (null: accounts without one); only segments with invitations or responses. */
  customers: Array<{ segment: string | null; invited: number; responded: number }>;
  /** Sellers belong to no account: organisation-wide. */
  seller: { invited: number; responded: number };
}

/** countResponses split by the customers' account segment, in one query over `response_counts`. */
export async function countResponsesBySegment(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<SegmentCounts> {
  let query = db
    .selectFrom('response_counts')
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'response_counts.organization_id')
        .onRef('accounts.id', '=', 'response_counts.account_id'),
    )
    .select([
      'response_counts.role',
      'accounts.segment',
      sql<number>`sum(response_counts.invited)::int`.as('invited'),
      sql<number>`sum(response_counts.responded)::int`.as('responded'),
    ])
    .where('response_counts.organization_id', '=', organizationId)
    .where('response_counts.survey_id', '=', surveyId)
    .groupBy(['response_counts.role', 'accounts.segment']);
  if (hasFilter(filter)) {
    query = query.where((eb) =>
      eb.or([
        eb('response_counts.role', '=', 'seller'),
        customerMatches(organizationId, filter, 'response_counts'),
      ]),
    );
  }
  const counts: SegmentCounts = { customers: [], seller: { invited: 0, responded: 0 } };
  for (const { role, segment, invited, responded } of await query.execute()) {
    if (role === 'seller') counts.seller = { invited, responded };
    else if (invited > 0 || responded > 0) counts.customers.push({ segment, invited, responded });
  }
  return counts;
}

/**
 * How a report shows customers' rows (comments, the CSV export): `named` with their account (an open
 * wave), `anonymous` without account, segment and KAM (a confidential wave's cut that is shown), `none`
 * (a suppressed cut).
 */
export type CustomerRows = 'named' | 'anonymous' | 'none';

export interface CommentRow {
  role: RespondentRole;
  accountName: string | null;
  comment: string;
  submittedAt: Date | null;
}

/**
 * Comments of submitted responses, with the customer's account; customers under the filter. `customers`:
 * `named` (an open wave) with their account; `anonymous` (a confidential wave's cut that is shown) without it
 * and in an order that does not group them by account; `none` (a suppressed cut) sellers' comments only.
 */
export async function listComments(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
  customers: CustomerRows = 'named',
): Promise<CommentRow[]> {
  let query = db
    .selectFrom('responses')
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'responses.organization_id')
        .onRef('accounts.id', '=', 'responses.account_id'),
    )
    .select([
      'responses.role',
      customers === 'named'
        ? 'accounts.name as accountName'
        : sql<string | null>`null::text`.as('accountName'),
      sql<string>`responses.comment`.as('comment'),
      'responses.submitted_at as submittedAt',
    ])
    .where('responses.organization_id', '=', organizationId)
    .where('responses.survey_id', '=', surveyId)
    .where('responses.status', '=', 'submitted')
    .where(sql<boolean>`btrim(coalesce(responses.comment, '')) <> ''`)
    .orderBy('responses.role');
  query =
    customers === 'named'
      ? query.orderBy('accounts.name').orderBy('responses.submitted_at')
      : query.orderBy('responses.id');
  if (customers === 'none') query = query.where('responses.role', '=', 'seller');
  else if (hasFilter(filter)) {
    query = query.where((eb) =>
      eb.or([eb('responses.role', '=', 'seller'), customerMatches(organizationId, filter, 'responses')]),
    );
  }
  return query.execute();
}

/** What the filter form offers: accounts (a KAM's own only), their segments, and the KAMs. */
export async function listFilterOptions(db: Db, organizationId: string, onlyKamUserId?: string) {
  let accountsQuery = db
    .selectFrom('accounts')
    .select(['id', 'name', 'segment', 'kam_user_id as kamUserId'])
    .where('organization_id', '=', organizationId)
    .orderBy('name');
  if (onlyKamUserId !== undefined) accountsQuery = accountsQuery.where('kam_user_id', '=', onlyKamUserId);
  const accounts = await accountsQuery.execute();

  let kamsQuery = db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('organization_id', '=', organizationId)
    .where((eb) =>
      eb.or([
        eb('role', '=', 'kam'),
        eb.exists(
          eb
            .selectFrom('accounts')
            .select(sql`1`.as('one'))
            .whereRef('accounts.organization_id', '=', 'users.organization_id')
            .whereRef('accounts.kam_user_id', '=', 'users.id'),
        ),
      ]),
    )
    .orderBy('name');
  if (onlyKamUserId !== undefined) kamsQuery = kamsQuery.where('id', '=', onlyKamUserId);
  const kams = await kamsQuery.execute();

  const segments = [
    ...new Set(accounts.flatMap((account) => (account.segment ? [account.segment] : []))),
  ].sort((a, b) => a.localeCompare(b, 'nb'));
  return { accounts, segments, kams };
}

/** A rating in the export: the score, `'DK'` for an explicit "don't know", null when not asked or unanswered. */
export type ExportScore = number | 'DK' | null;

export interface ExportRow {
  responseId: string;
  wave: string;
  role: RespondentRole;
  account: string | null;
  segment: string | null;
  kam: string | null;
  criterionId: string;
  criterionKey: string | null;
  labelNb: string;
  labelEn: string;
  importance: ExportScore;
  performance: ExportScore;
  /** The response's overall satisfaction (issue 12), the same on each of its rows. */
  overall: ExportScore;
  comment: string | null;
  /** The response's id as the export shows it; null for a confidential wave's customers. */
  respondentId: string | null;
  /** Null for a confidential wave's customers. */
  submittedAt: Date | null;
}

/**
 * One row per submitted respondent × criterion asked of them (customers: the `both` criteria; sellers:
 * all), for the CSV export, consecutive per response; customers under the filter, as in the report, and as
 * `customers` says (a confidential wave: without account, segment and KAM, or none). The route runs it
 * through a server-side cursor, never all at once.
 */
export function exportRowsQuery(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter = {},
  customers: CustomerRows = 'named',
) {
  const named = customers === 'named';
  // jsonb keeps the three cases apart: no answer row → SQL null; a null score ("don't know") → "DK"; a score.
  const score = (dimension: Dimension) =>
    sql<ExportScore>`(select coalesce(to_jsonb(answers.score), '"DK"'::jsonb) from answers
      where answers.organization_id = responses.organization_id
        and answers.response_id = responses.id
        and answers.survey_criterion_id = survey_criteria.id
        and answers.dimension = ${dimension})`;
  let query = db
    .selectFrom('responses')
    .innerJoin('surveys', (join) =>
      join
        .onRef('surveys.organization_id', '=', 'responses.organization_id')
        .onRef('surveys.id', '=', 'responses.survey_id'),
    )
    .innerJoin('invitations', (join) =>
      join
        .onRef('invitations.organization_id', '=', 'responses.organization_id')
        .onRef('invitations.id', '=', 'responses.invitation_id'),
    )
    .innerJoin('survey_criteria', (join) =>
      join
        .onRef('survey_criteria.organization_id', '=', 'responses.organization_id')
        .onRef('survey_criteria.survey_id', '=', 'responses.survey_id')
        .on((eb) =>
          eb.or([
            eb('responses.role', '=', 'seller'),
            eb('survey_criteria.audience', '=', 'both' as Audience),
          ]),
        ),
    )
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'invitations.organization_id')
        .onRef('accounts.id', '=', 'invitations.account_id'),
    )
    .leftJoin('users as kam', (join) =>
      join
        .onRef('kam.organization_id', '=', 'accounts.organization_id')
        .onRef('kam.id', '=', 'accounts.kam_user_id'),
    )
    .select([
      'responses.id as responseId',
      // A confidential wave's customers are not followed from one export to the next (issue 13): no stable
      // id and no exact time that would let two overlapping exports be joined row by row.
      named
        ? sql<string | null>`responses.id::text`.as('respondentId')
        : sql<string | null>`case when responses.role = 'seller' then responses.id::text end`.as(
            'respondentId',
          ),
      'surveys.name as wave',
      'responses.role',
      named ? 'accounts.name as account' : sql<string | null>`null::text`.as('account'),
      named ? 'accounts.segment' : sql<string | null>`null::text`.as('segment'),
      named ? 'kam.name as kam' : sql<string | null>`null::text`.as('kam'),
      'survey_criteria.id as criterionId',
      'survey_criteria.key as criterionKey',
      'survey_criteria.label_nb as labelNb',
      'survey_criteria.label_en as labelEn',
      score('importance').as('importance'),
      score('performance').as('performance'),
      // Overall satisfaction as the scores are: a number, "DK", or null when not answered or not asked.
      sql<ExportScore>`case when responses.overall_answered
        then coalesce(to_jsonb(responses.overall_score), '"DK"'::jsonb) end`.as('overall'),
      'responses.comment',
      named
        ? sql<Date | null>`responses.submitted_at`.as('submittedAt')
        : sql<Date | null>`case when responses.role = 'seller' then responses.submitted_at end`.as(
            'submittedAt',
          ),
    ])
    .where('responses.organization_id', '=', organizationId)
    .where('responses.survey_id', '=', surveyId)
    .where('responses.status', '=', 'submitted')
    .orderBy('responses.role')
    // Anonymous rows in an order that does not group them by account (response ids are random).
    .$if(named, (ordered) => ordered.orderBy('accounts.name').orderBy('responses.submitted_at'))
    .orderBy('responses.id')
    .orderBy('survey_criteria.position');
  if (customers === 'none') query = query.where('responses.role', '=', 'seller');
  else if (hasFilter(filter)) {
    query = query.where((eb) =>
      eb.or([eb('responses.role', '=', 'seller'), customerMatches(organizationId, filter, 'responses')]),
    );
  }
  return query;
}
