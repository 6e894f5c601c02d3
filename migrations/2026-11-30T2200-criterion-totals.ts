import { type Kysely, sql } from 'kysely';

// One row per wave × criterion × account where there were four (issue 10): a report read about 24 000 total
// rows for a wave of 300 accounts (answer_totals per role × dimension, driver_totals, reliability_totals per
// series), each table grouped on its own. Now:
//
// - criterion_totals: per wave × criterion × account (null: the sellers, organisation-wide), over
//   submitted responses: the importance and the performance scores (n, Σx, Σx²); the drivers over customers
//   who gave both a performance score x and an overall score y (n, Σx, Σy, Σx², Σy², Σxy); and the items of
//   the two reliability series, over the respondents who scored every criterion of the series with T their
//   total (n, Σx, Σx², Σx·T). The importance series is the customers' on an account's row and the sellers'
//   on the row without one;
// - account_totals: per wave × account (null: the sellers): the customers' overall scores (n, Σy, Σy²) and
//   each series' totals T (n, ΣT, ΣT²).
//
// Both are kept from response_summaries as the three tables they replace were (migration
// overall-satisfaction): recomputed at commit, one netted, key-ordered upsert per table. The answer totals
// therefore move at commit too, no longer inside the writing transaction, and submitting no longer runs a
// trigger per statement on `answers`. (`answered`, the count of answers including "don't know", had no
// reader and is not kept.) No check constraints on the sums: an upsert of a negative delta is checked as an
// insert before it becomes an update.
const CRITERION_SUMS = [
  'importance_n',
  'importance_sum',
  'importance_squares',
  'performance_n',
  'performance_sum',
  'performance_squares',
  'driver_n',
  'driver_x',
  'driver_y',
  'driver_xx',
  'driver_yy',
  'driver_xy',
  'importance_series_n',
  'importance_series_sum',
  'importance_series_squares',
  'importance_series_with_total',
  'performance_series_n',
  'performance_series_sum',
  'performance_series_squares',
  'performance_series_with_total',
];
const ACCOUNT_SUMS = [
  'satisfaction_n',
  'satisfaction_sum',
  'satisfaction_squares',
  'importance_series_n',
  'importance_series_sum',
  'importance_series_squares',
  'performance_series_n',
  'performance_series_sum',
  'performance_series_squares',
];

const columns = (names: readonly string[]) => sql.raw(names.join(', '));
const sumColumns = (names: readonly string[]) =>
  sql.raw(names.map((name) => `${name} bigint not null default 0`).join(',\n'));
const addExcluded = (names: readonly string[]) =>
  sql.raw(names.map((name) => `${name} = t.${name} + excluded.${name}`).join(', '));
const anyNonZero = (names: readonly string[]) => sql.raw(`0 <> any (array[${names.join(', ')}])`);

export async function up(db: Kysely<any>): Promise<void> {
  await sql`drop trigger answer_totals_insert on answers`.execute(db);
  await sql`drop trigger answer_totals_delete on answers`.execute(db);
  await sql`drop trigger answer_totals_update on answers`.execute(db);
  await sql`drop function answer_totals_apply()`.execute(db);
  await sql`drop table answer_totals, satisfaction_totals, driver_totals, reliability_totals`.execute(db);

  await sql`
    create table criterion_totals (
      organization_id uuid not null,
      survey_id uuid not null,
      survey_criterion_id uuid not null,
      account_id uuid,
      ${sumColumns(CRITERION_SUMS)},
      constraint criterion_totals_survey_fkey foreign key (organization_id, survey_id)
        references surveys (organization_id, id) on delete cascade,
      constraint criterion_totals_criterion_fkey foreign key (organization_id, survey_id, survey_criterion_id)
        references survey_criteria (organization_id, survey_id, id) on delete cascade,
      constraint criterion_totals_key unique nulls not distinct
        (organization_id, survey_id, survey_criterion_id, account_id),
      -- Sellers rate importance only and are asked no overall question.
      constraint criterion_totals_sellers_check check (account_id is not null or
        performance_n = 0 and driver_n = 0 and performance_series_n = 0)
    )`.execute(db);
  await sql`
    create table account_totals (
      organization_id uuid not null,
      survey_id uuid not null,
      account_id uuid,
      ${sumColumns(ACCOUNT_SUMS)},
      constraint account_totals_survey_fkey foreign key (organization_id, survey_id)
        references surveys (organization_id, id) on delete cascade,
      constraint account_totals_key unique nulls not distinct (organization_id, survey_id, account_id),
      constraint account_totals_sellers_check check (account_id is not null or
        satisfaction_n = 0 and performance_series_n = 0)
    )`.execute(db);

  // What `gone` summaries contributed is subtracted and what `came` contribute is added, over submitted
  // responses of waves that still exist (a wave being deleted has had its totals cascaded away already).
  // Each scored criterion is an item: its importance or performance score, with the respondent's series
  // total when the series is complete and, for performance, the overall score.
  await sql`
    create or replace function summary_totals_apply(gone response_summaries[], came response_summaries[])
    returns void language plpgsql as $$
    begin
      with items as (
        select s.organization_id, s.survey_id, s.account_id, s.sign, i.criterion,
               i.x as importance, null::int as performance, s.importance_total, null::int as performance_total,
               null::int as y
        from summary_contributions(gone, came) s
        cross join lateral unnest(s.importance_criteria, s.importance_scores::int[]) as i(criterion, x)
        union all
        select s.organization_id, s.survey_id, s.account_id, s.sign, p.criterion,
               null, p.x, null, s.performance_total, s.overall_score
        from summary_contributions(gone, came) s
        cross join lateral unnest(s.performance_criteria, s.performance_scores::int[]) as p(criterion, x)
      )
      insert into criterion_totals as t (organization_id, survey_id, survey_criterion_id, account_id, ${columns(CRITERION_SUMS)})
      select * from (
        select organization_id, survey_id, criterion, account_id,
               coalesce(sum(sign) filter (where importance is not null), 0),
               coalesce(sum(sign * importance), 0),
               coalesce(sum(sign * importance * importance), 0),
               coalesce(sum(sign) filter (where performance is not null), 0),
               coalesce(sum(sign * performance), 0),
               coalesce(sum(sign * performance * performance), 0),
               coalesce(sum(sign) filter (where y is not null), 0),
               coalesce(sum(sign * performance) filter (where y is not null), 0),
               coalesce(sum(sign * y), 0),
               coalesce(sum(sign * performance * performance) filter (where y is not null), 0),
               coalesce(sum(sign * y * y), 0),
               coalesce(sum(sign * performance * y), 0),
               coalesce(sum(sign) filter (where importance_total is not null), 0),
               coalesce(sum(sign * importance) filter (where importance_total is not null), 0),
               coalesce(sum(sign * importance * importance) filter (where importance_total is not null), 0),
               coalesce(sum(sign * importance * importance_total), 0),
               coalesce(sum(sign) filter (where performance_total is not null), 0),
               coalesce(sum(sign * performance) filter (where performance_total is not null), 0),
               coalesce(sum(sign * performance * performance) filter (where performance_total is not null), 0),
               coalesce(sum(sign * performance * performance_total), 0)
        from items
        group by organization_id, survey_id, criterion, account_id
      ) as delta (organization_id, survey_id, criterion, account_id, ${columns(CRITERION_SUMS)})
      where ${anyNonZero(CRITERION_SUMS)}
      order by organization_id, survey_id, criterion, account_id
      on conflict on constraint criterion_totals_key do update set ${addExcluded(CRITERION_SUMS)};

      insert into account_totals as t (organization_id, survey_id, account_id, ${columns(ACCOUNT_SUMS)})
      select * from (
        select organization_id, survey_id, account_id,
               coalesce(sum(sign) filter (where overall_score is not null), 0),
               coalesce(sum(sign * overall_score), 0),
               coalesce(sum(sign * overall_score * overall_score), 0),
               coalesce(sum(sign) filter (where importance_total is not null), 0),
               coalesce(sum(sign * importance_total), 0),
               coalesce(sum(sign * importance_total * importance_total), 0),
               coalesce(sum(sign) filter (where performance_total is not null), 0),
               coalesce(sum(sign * performance_total), 0),
               coalesce(sum(sign * performance_total * performance_total), 0)
        from summary_contributions(gone, came)
        group by organization_id, survey_id, account_id
      ) as delta (organization_id, survey_id, account_id, ${columns(ACCOUNT_SUMS)})
      where ${anyNonZero(ACCOUNT_SUMS)}
      order by organization_id, survey_id, account_id
      on conflict on constraint account_totals_key do update set ${addExcluded(ACCOUNT_SUMS)};
    end $$`.execute(db);
  // (Created before the function above is first called; plpgsql resolves it at run time.)
  await sql`
    create function summary_contributions(gone response_summaries[], came response_summaries[])
    returns table (
      organization_id uuid, survey_id uuid, account_id uuid, sign int, overall_score int,
      importance_criteria uuid[], importance_scores smallint[], importance_total int,
      performance_criteria uuid[], performance_scores smallint[], performance_total int
    ) language sql stable as $$
      select s.organization_id, s.survey_id, s.account_id, s.sign, s.overall_score::int,
             s.importance_criteria, s.importance_scores,
             case when s.importance_complete then (select sum(v) from unnest(s.importance_scores) v)::int end,
             s.performance_criteria, s.performance_scores,
             case when s.performance_complete then (select sum(v) from unnest(s.performance_scores) v)::int end
      from (select -1 as sign, * from unnest(gone) union all select 1, * from unnest(came)) s
      where s.status = 'submitted'
        and exists (select 1 from surveys w where w.organization_id = s.organization_id and w.id = s.survey_id)
    $$`.execute(db);

  // Totals for what is already there.
  await sql`select summary_totals_apply('{}', (select coalesce(array_agg(s), '{}') from response_summaries s))`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  // The four tables as migration reliability-totals-order left them, filled from the answers and summaries.
  await db.schema
    .createTable('answer_totals')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_criterion_id', 'uuid', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('dimension', 'text', (col) => col.notNull())
    .addColumn('account_id', 'uuid')
    .addColumn('n', 'bigint', (col) => col.notNull())
    .addColumn('sum', 'bigint', (col) => col.notNull())
    .addColumn('sum_squares', 'bigint', (col) => col.notNull())
    .addColumn('answered', 'bigint', (col) => col.notNull())
    .addForeignKeyConstraint(
      'answer_totals_survey_fkey',
      ['organization_id', 'survey_id'],
      'surveys',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await sql`alter table answer_totals add constraint answer_totals_key unique nulls not distinct
            (organization_id, survey_id, survey_criterion_id, role, dimension, account_id)`.execute(db);

  // One function for every change: subtract what left (old rows), add what came (new rows), both only
  // for submitted responses, grouped and ordered so concurrent writers lock total rows in the same order.
  await sql`
    create function answer_totals_apply() returns trigger language plpgsql as $$
    begin
      if tg_op in ('DELETE', 'UPDATE') then
        insert into answer_totals as t (organization_id, survey_id, survey_criterion_id, role, dimension, account_id, n, sum, sum_squares, answered)
        select organization_id, survey_id, survey_criterion_id, role, dimension, account_id,
               -count(score), -coalesce(sum(score), 0), -coalesce(sum(score::int * score::int), 0), -count(*)
        from old_rows where response_status = 'submitted'
        group by organization_id, survey_id, survey_criterion_id, role, dimension, account_id
        order by organization_id, survey_id, survey_criterion_id, role, dimension, account_id
        on conflict on constraint answer_totals_key do update
          set n = t.n + excluded.n, sum = t.sum + excluded.sum,
              sum_squares = t.sum_squares + excluded.sum_squares, answered = t.answered + excluded.answered;
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        insert into answer_totals as t (organization_id, survey_id, survey_criterion_id, role, dimension, account_id, n, sum, sum_squares, answered)
        select organization_id, survey_id, survey_criterion_id, role, dimension, account_id,
               count(score), coalesce(sum(score), 0), coalesce(sum(score::int * score::int), 0), count(*)
        from new_rows where response_status = 'submitted'
        group by organization_id, survey_id, survey_criterion_id, role, dimension, account_id
        order by organization_id, survey_id, survey_criterion_id, role, dimension, account_id
        on conflict on constraint answer_totals_key do update
          set n = t.n + excluded.n, sum = t.sum + excluded.sum,
              sum_squares = t.sum_squares + excluded.sum_squares, answered = t.answered + excluded.answered;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger answer_totals_insert after insert on answers referencing new table as new_rows
            for each statement execute function answer_totals_apply()`.execute(db);
  await sql`create trigger answer_totals_delete after delete on answers referencing old table as old_rows
            for each statement execute function answer_totals_apply()`.execute(db);
  await sql`create trigger answer_totals_update after update on answers referencing old table as old_rows new table as new_rows
            for each statement execute function answer_totals_apply()`.execute(db);

  await sql`
    create table satisfaction_totals (
      organization_id uuid not null,
      survey_id uuid not null,
      account_id uuid,
      n bigint not null,
      sum bigint not null,
      sum_squares bigint not null,
      constraint satisfaction_totals_survey_fkey foreign key (organization_id, survey_id)
        references surveys (organization_id, id) on delete cascade,
      constraint satisfaction_totals_key unique nulls not distinct (organization_id, survey_id, account_id)
    )`.execute(db);
  await sql`
    create table driver_totals (
      organization_id uuid not null,
      survey_id uuid not null,
      survey_criterion_id uuid not null,
      account_id uuid not null,
      n bigint not null,
      sum_x bigint not null,
      sum_y bigint not null,
      sum_xx bigint not null,
      sum_yy bigint not null,
      sum_xy bigint not null,
      constraint driver_totals_survey_fkey foreign key (organization_id, survey_id)
        references surveys (organization_id, id) on delete cascade,
      constraint driver_totals_criterion_fkey foreign key (organization_id, survey_id, survey_criterion_id)
        references survey_criteria (organization_id, survey_id, id) on delete cascade,
      constraint driver_totals_key unique nulls not distinct
        (organization_id, survey_id, survey_criterion_id, account_id)
    )`.execute(db);
  await sql`
    create table reliability_totals (
      organization_id uuid not null,
      survey_id uuid not null,
      series text not null
        check (series in ('customerPerformance', 'customerImportance', 'sellerImportance')),
      account_id uuid,
      survey_criterion_id uuid,
      n bigint not null,
      sum bigint not null,
      sum_squares bigint not null,
      sum_with_total bigint not null,
      constraint reliability_totals_survey_fkey foreign key (organization_id, survey_id)
        references surveys (organization_id, id) on delete cascade,
      constraint reliability_totals_criterion_fkey
        foreign key (organization_id, survey_id, survey_criterion_id)
        references survey_criteria (organization_id, survey_id, id) on delete cascade,
      constraint reliability_totals_key unique nulls not distinct
        (organization_id, survey_id, series, survey_criterion_id, account_id)
    )`.execute(db);

  await sql`
    create or replace function summary_totals_apply(gone response_summaries[], came response_summaries[])
    returns void language plpgsql as $$
    begin
      insert into satisfaction_totals as t (organization_id, survey_id, account_id, n, sum, sum_squares)
      select s.organization_id, s.survey_id, s.account_id,
             sum(s.sign), sum(s.sign * s.overall_score), sum(s.sign * s.overall_score::int * s.overall_score)
      from (select -1 as sign, * from unnest(gone) union all select 1, * from unnest(came)) s
      where s.status = 'submitted' and s.role = 'customer' and s.overall_score is not null
        and exists (select 1 from surveys w where w.organization_id = s.organization_id and w.id = s.survey_id)
      group by s.organization_id, s.survey_id, s.account_id
      having sum(s.sign) <> 0 or sum(s.sign * s.overall_score) <> 0
          or sum(s.sign * s.overall_score::int * s.overall_score) <> 0
      order by s.organization_id, s.survey_id, s.account_id
      on conflict on constraint satisfaction_totals_key do update
        set n = t.n + excluded.n, sum = t.sum + excluded.sum, sum_squares = t.sum_squares + excluded.sum_squares;

      insert into driver_totals as t
        (organization_id, survey_id, survey_criterion_id, account_id, n, sum_x, sum_y, sum_xx, sum_yy, sum_xy)
      select s.organization_id, s.survey_id, p.criterion, s.account_id,
             sum(s.sign), sum(s.sign * p.x), sum(s.sign * s.y), sum(s.sign * p.x * p.x),
             sum(s.sign * s.y * s.y), sum(s.sign * p.x * s.y)
      from (select -1 as sign, *, overall_score::int as y from unnest(gone)
            union all select 1, *, overall_score::int from unnest(came)) s
      cross join lateral unnest(s.performance_criteria, s.performance_scores::int[]) as p(criterion, x)
      where s.status = 'submitted' and s.role = 'customer' and s.y is not null
        and exists (select 1 from surveys w where w.organization_id = s.organization_id and w.id = s.survey_id)
      group by s.organization_id, s.survey_id, p.criterion, s.account_id
      having sum(s.sign) <> 0 or sum(s.sign * p.x) <> 0 or sum(s.sign * s.y) <> 0
          or sum(s.sign * p.x * p.x) <> 0 or sum(s.sign * s.y * s.y) <> 0 or sum(s.sign * p.x * s.y) <> 0
      order by s.organization_id, s.survey_id, p.criterion, s.account_id
      on conflict on constraint driver_totals_key do update
        set n = t.n + excluded.n, sum_x = t.sum_x + excluded.sum_x, sum_y = t.sum_y + excluded.sum_y,
            sum_xx = t.sum_xx + excluded.sum_xx, sum_yy = t.sum_yy + excluded.sum_yy,
            sum_xy = t.sum_xy + excluded.sum_xy;

      insert into reliability_totals as t
        (organization_id, survey_id, series, account_id, survey_criterion_id, n, sum, sum_squares, sum_with_total)
      select c.organization_id, c.survey_id, c.series, c.account_id, c.criterion,
             sum(c.sign), sum(c.sign * c.x), sum(c.sign * c.x * c.x), sum(c.sign * c.x * c.total)
      from (
        select s.organization_id, s.survey_id, s.sign, s.series, s.account_id, item.criterion, item.x, s.total
        from (
          select g.*, 'customerPerformance' as series, g.performance_criteria as criteria,
                 g.performance_scores::int[] as scores
          from (select -1 as sign, * from unnest(gone) union all select 1, * from unnest(came)) g
          where g.status = 'submitted' and g.role = 'customer' and g.performance_complete
          union all
          select g.*, case g.role when 'customer' then 'customerImportance' else 'sellerImportance' end,
                 g.importance_criteria, g.importance_scores::int[]
          from (select -1 as sign, * from unnest(gone) union all select 1, * from unnest(came)) g
          where g.status = 'submitted' and g.importance_complete
        ) s0
        cross join lateral (select s0.*, (select sum(v) from unnest(s0.scores) v)::int as total) s
        -- each item, and the series row (criterion null) whose "score" is the total itself
        cross join lateral (
          select * from unnest(s.criteria, s.scores) as i(criterion, x)
          union all select null::uuid, s.total
        ) item
      ) c
      where exists (select 1 from surveys w where w.organization_id = c.organization_id and w.id = c.survey_id)
      group by c.organization_id, c.survey_id, c.series, c.account_id, c.criterion
      having sum(c.sign) <> 0 or sum(c.sign * c.x) <> 0 or sum(c.sign * c.x * c.x) <> 0
          or sum(c.sign * c.x * c.total) <> 0
      order by c.organization_id, c.survey_id, c.series, c.account_id, c.criterion
      on conflict on constraint reliability_totals_key do update
        set n = t.n + excluded.n, sum = t.sum + excluded.sum, sum_squares = t.sum_squares + excluded.sum_squares,
            sum_with_total = t.sum_with_total + excluded.sum_with_total;
    end $$`.execute(db);

  await sql`drop function summary_contributions(response_summaries[], response_summaries[])`.execute(db);
  await sql`drop table criterion_totals, account_totals`.execute(db);
  await sql`
    insert into answer_totals (organization_id, survey_id, survey_criterion_id, role, dimension, account_id, n, sum, sum_squares, answered)
    select organization_id, survey_id, survey_criterion_id, role, dimension, account_id,
           count(score), coalesce(sum(score), 0), coalesce(sum(score::int * score::int), 0), count(*)
    from answers where response_status = 'submitted'
    group by organization_id, survey_id, survey_criterion_id, role, dimension, account_id`.execute(db);
  await sql`select summary_totals_apply('{}', (select coalesce(array_agg(s), '{}') from response_summaries s))`.execute(
    db,
  );
}
