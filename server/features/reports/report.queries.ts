import { type RawBuilder, sql } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres';
import { RELIABILITY_SERIES, type ReliabilitySeries } from '../../analysis/reliability.js';
import type { Audience, Db, Dimension, RespondentRole } from '../../db/database.js';
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
 * The customer filter as a condition on the account_id column of `responses`, `answer_totals` or
 * `response_counts`: an account, a segment, a KAM. The accounts subquery names the organisation as
 * a value, so PostgreSQL runs it once and hashes it; sellers, who have no account, are kept by the caller.
 */
function customerMatches(
  organizationId: string,
  filter: CustomerFilter,
  table:
    | 'responses'
    | 'answer_totals'
    | 'response_counts'
    | 'satisfaction_totals'
    | 'driver_totals'
    | 'reliability_totals',
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
 * count, sum and sum of squares per criterion × role × dimension over submitted responses. They come from
 * `answer_totals`, which triggers on `answers` keep per account in the same transaction as every write
 * (migration answer-totals): a report reads at most criteria × accounts rows, never every answer.
 */
export function aggregateAnswers(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<AggregateRow[]> {
  return aggregateAnswersQuery(db, organizationId, surveyId, filter).execute();
}

/** The query of aggregateAnswers, uncompiled (the benchmark times its SQL alone). */
export function aggregateAnswersQuery(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
) {
  let query = db
    .selectFrom('answer_totals')
    .select([
      'answer_totals.survey_criterion_id as criterionId',
      'answer_totals.role',
      'answer_totals.dimension',
      sql<number>`sum(answer_totals.n)::int`.as('n'),
      sql<number>`sum(answer_totals.sum)::float8`.as('sum'),
      sql<number>`sum(answer_totals.sum_squares)::float8`.as('sumSquares'),
    ])
    .where('answer_totals.organization_id', '=', organizationId)
    .where('answer_totals.survey_id', '=', surveyId)
    .groupBy(['answer_totals.survey_criterion_id', 'answer_totals.role', 'answer_totals.dimension']);
  if (hasFilter(filter)) {
    query = query.where((eb) =>
      eb.or([
        eb('answer_totals.role', '=', 'seller'),
        customerMatches(organizationId, filter, 'answer_totals'),
      ]),
    );
  }
  return query;
}

/**
 * What overall satisfaction, derived importance and Cronbach's α need (issue 12), from their running totals
 * (migration overall-satisfaction), summed over the accounts under the filter: the customers' overall
 * scores; per criterion the cross-products of delivery and overall score; per series the listwise totals
 * (the series row has no criterion). Sellers' reliability is organisation-wide, as their series is. One
 * statement (each total an array or object of JSON), so one round trip. Drivers and reliability are summed
 * one criterion (× series) at a time, each a range of its table's key: no hashing of every account's row.
 */
export async function aggregateStatistics(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
) {
  const filtered = hasFilter(filter);
  const satisfaction = db
    .selectFrom('satisfaction_totals')
    .select([
      sql<number>`coalesce(sum(satisfaction_totals.n), 0)::int`.as('n'),
      sql<number>`coalesce(sum(satisfaction_totals.sum), 0)::float8`.as('sum'),
      sql<number>`coalesce(sum(satisfaction_totals.sum_squares), 0)::float8`.as('sumSquares'),
    ])
    .where('satisfaction_totals.organization_id', '=', organizationId)
    .where('satisfaction_totals.survey_id', '=', surveyId)
    .$if(filtered, (query) => query.where(customerMatches(organizationId, filter, 'satisfaction_totals')));
  const drivers = db
    .selectFrom('survey_criteria')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('driver_totals')
          .select([
            sql<number>`sum(driver_totals.n)::int`.as('n'),
            sql<number>`sum(driver_totals.sum_x)::float8`.as('sumX'),
            sql<number>`sum(driver_totals.sum_y)::float8`.as('sumY'),
            sql<number>`sum(driver_totals.sum_xx)::float8`.as('sumXX'),
            sql<number>`sum(driver_totals.sum_yy)::float8`.as('sumYY'),
            sql<number>`sum(driver_totals.sum_xy)::float8`.as('sumXY'),
          ])
          .where('driver_totals.organization_id', '=', organizationId)
          .where('driver_totals.survey_id', '=', surveyId)
          .whereRef('driver_totals.survey_criterion_id', '=', 'survey_criteria.id')
          .$if(filtered, (query) => query.where(customerMatches(organizationId, filter, 'driver_totals')))
          .as('totals'),
      (join) => join.onTrue(),
    )
    .select([
      'survey_criteria.id as criterionId',
      'totals.n',
      'totals.sumX',
      'totals.sumY',
      'totals.sumXX',
      'totals.sumYY',
      'totals.sumXY',
    ])
    .where('survey_criteria.organization_id', '=', organizationId)
    .where('survey_criteria.survey_id', '=', surveyId)
    // A sum over no rows is null: a criterion without totals has no row, as when they were grouped.
    .where('totals.n', 'is not', null);
  const series = sql<{ series: ReliabilitySeries }>`unnest(${[...RELIABILITY_SERIES]}::text[])`.as('series');
  const reliabilityOf = (criterion: 'series' | 'item') =>
    db
      .selectFrom(series)
      .$if(criterion === 'item', (query) =>
        query.innerJoin('survey_criteria', (join) =>
          join
            .on('survey_criteria.organization_id', '=', organizationId)
            .on('survey_criteria.survey_id', '=', surveyId),
        ),
      )
      .innerJoinLateral(
        (eb) =>
          eb
            .selectFrom('reliability_totals')
            .select([
              sql<number>`sum(reliability_totals.n)::int`.as('n'),
              sql<number>`sum(reliability_totals.sum)::float8`.as('sum'),
              sql<number>`sum(reliability_totals.sum_squares)::float8`.as('sumSquares'),
              sql<number>`sum(reliability_totals.sum_with_total)::float8`.as('sumWithTotal'),
            ])
            .where('reliability_totals.organization_id', '=', organizationId)
            .where('reliability_totals.survey_id', '=', surveyId)
            .whereRef('reliability_totals.series', '=', 'series.series')
            .where(
              criterion === 'item'
                ? sql<boolean>`reliability_totals.survey_criterion_id = survey_criteria.id`
                : sql<boolean>`reliability_totals.survey_criterion_id is null`,
            )
            .$if(filtered, (query) =>
              query.where((eb) =>
                eb.or([
                  eb('reliability_totals.series', '=', 'sellerImportance'),
                  customerMatches(organizationId, filter, 'reliability_totals'),
                ]),
              ),
            )
            .as('totals'),
        (join) => join.onTrue(),
      )
      .select([
        'series.series',
        criterion === 'item'
          ? sql<string | null>`survey_criteria.id`.as('criterionId')
          : sql<string | null>`null::uuid`.as('criterionId'),
        'totals.n',
        'totals.sum',
        'totals.sumSquares',
        'totals.sumWithTotal',
      ])
      .where('totals.n', 'is not', null);
  const totals = await db
    .selectNoFrom([
      jsonObjectFrom(satisfaction).as('satisfaction'),
      jsonArrayFrom(drivers).as('drivers'),
      jsonArrayFrom(reliabilityOf('series').unionAll(reliabilityOf('item'))).as('reliability'),
    ])
    .executeTakeFirstOrThrow();
  return {
    // An aggregate without grouping always answers one row.
    satisfaction: totals.satisfaction ?? { n: 0, sum: 0, sumSquares: 0 },
    drivers: totals.drivers,
    reliability: totals.reliability,
  };
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
 */
export function countCustomersByAccount(
  db: Db,
  organizationId: string,
  surveyIds: readonly string[],
): Promise<WaveAccountCount[]> {
  return customersByAccountQuery(db, organizationId, surveyIds).execute();
}

function customersByAccountQuery(db: Db, organizationId: string, surveyIds: readonly string[]) {
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
      sql<number>`sum(response_counts.responded)::int`.as('responded'),
    ])
    .where('response_counts.organization_id', '=', organizationId)
    .where('response_counts.survey_id', 'in', surveyIds)
    .where('response_counts.role', '=', 'customer')
    .groupBy([
      'response_counts.survey_id',
      'surveys.confidential',
      'response_counts.account_id',
      'accounts.segment',
      'accounts.kam_user_id',
    ]);
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
 * What a report reads of one wave under the filter, in one statement (each part an array of JSON, so one
 * round trip): its criteria in order, its answers' totals (aggregateAnswers), its invited and responded
 * counts (countResponses) and its customers' responses per account (countCustomersByAccount).
 */
export async function readWaveFigures(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
) {
  const figures = await db
    .selectNoFrom([
      jsonArrayFrom(waveCriteriaQuery(db, organizationId, [surveyId])).as('criteria'),
      jsonArrayFrom(aggregateAnswersQuery(db, organizationId, surveyId, filter)).as('answers'),
      jsonArrayFrom(responseCountsQuery(db, organizationId, surveyId, filter)).as('counts'),
      jsonArrayFrom(customersByAccountQuery(db, organizationId, [surveyId])).as('accounts'),
    ])
    .executeTakeFirstOrThrow();
  return { ...figures, counts: responseCountsOf(figures.counts) };
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
export function aggregateAnswersBySegment(
  db: Db,
  organizationId: string,
  surveyId: string,
  filter: CustomerFilter,
): Promise<SegmentAggregateRow[]> {
  let query = db
    .selectFrom('answer_totals')
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'answer_totals.organization_id')
        .onRef('accounts.id', '=', 'answer_totals.account_id'),
    )
    .select([
      'accounts.segment',
      'answer_totals.survey_criterion_id as criterionId',
      'answer_totals.role',
      'answer_totals.dimension',
      sql<number>`sum(answer_totals.n)::int`.as('n'),
      sql<number>`sum(answer_totals.sum)::float8`.as('sum'),
      sql<number>`sum(answer_totals.sum_squares)::float8`.as('sumSquares'),
    ])
    .where('answer_totals.organization_id', '=', organizationId)
    .where('answer_totals.survey_id', '=', surveyId)
    .groupBy([
      'accounts.segment',
      'answer_totals.survey_criterion_id',
      'answer_totals.role',
      'answer_totals.dimension',
    ]);
  if (hasFilter(filter)) {
    query = query.where((eb) =>
      eb.or([
        eb('answer_totals.role', '=', 'seller'),
        customerMatches(organizationId, filter, 'answer_totals'),
      ]),
    );
  }
  return query.execute();
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
