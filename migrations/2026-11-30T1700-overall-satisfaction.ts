import { type Kysely, sql } from 'kysely';

// Overall satisfaction (issue 12): a wave may ask customers "Overall, how satisfied are you with
// <supplier>?" after the criteria, and the report's deeper statistics (derived importance, Cronbach's α)
// read running totals instead of every answer, as answer_totals works:
//
// - satisfaction_totals: per wave × account, n, Σy, Σy² of customers' overall scores;
// - driver_totals: per wave × criterion × account, over customers who gave both a performance score x on
//   the criterion and an overall score y: n, Σx, Σy, Σx², Σy², Σxy;
// - reliability_totals: per wave × series × account, over the respondents who scored every criterion of
//   the series (listwise), T = their total: the series row (survey_criterion_id null) n, ΣT, ΣT², ΣT² and
//   one row per criterion n, Σx, Σx², Σx·T.
//
// All over SUBMITTED responses. Mechanics: a per-response summary (response_summaries: role, account,
// status, overall score, and per dimension the scored criteria, their scores and whether the series is
// complete) is what each response contributes; a statement-level trigger on the summary table moves the
// totals by its OLD and NEW rows (subtract what left, add what came, netted and ordered), so the totals
// follow the summaries exactly, cascading deletes included. Summaries are recomputed once per response
// and transaction: statement-level triggers on answers and responses queue the responses a statement
// touched (response_summary_queue) and a deferred constraint trigger recomputes every queued response
// at commit. Recomputing at commit does the work once per save (saveResponse replaces the answers and bumps
// the response: three statements) and takes every lock on these totals in one sorted pass after all the
// transaction's other writes, so parallel submitters cannot deadlock on them whatever order their
// statements ran in. (The totals are therefore current from commit on, not inside the writing transaction.)
export async function up(db: Kysely<any>): Promise<void> {
  // Waves created before this never asked the question; new ones ask it unless switched off.
  await sql`alter table surveys add column overall_question boolean not null default false`.execute(db);
  await sql`alter table surveys alter column overall_question set default true`.execute(db);

  // The overall answer: not answered (overall_answered false), "don't know" (answered, score null), 1–10.
  await sql`
    alter table responses
      add column overall_answered boolean not null default false,
      add column overall_score smallint,
      add constraint responses_overall_score_check check (overall_score between 1 and 10),
      add constraint responses_overall_answered_check check (overall_score is null or overall_answered),
      add constraint responses_overall_role_check check (role = 'customer' or not overall_answered)`.execute(
    db,
  );
  // The audit trail keeps the overall answer of every version as well.
  await sql`
    alter table response_revisions
      add column overall_answered boolean not null default false,
      add column overall_score smallint,
      add constraint response_revisions_overall_check
        check (overall_score between 1 and 10 and overall_answered or overall_score is null)`.execute(db);

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
        (organization_id, survey_id, series, account_id, survey_criterion_id)
    )`.execute(db);

  // What one response contributes. Criteria and scores are parallel arrays of the scored (not "don't
  // know") ratings, ordered by criterion id; *_complete: every criterion of the respondent's series scored.
  await sql`
    create table response_summaries (
      organization_id uuid not null,
      response_id uuid not null,
      survey_id uuid not null,
      role text not null,
      account_id uuid,
      status text not null,
      overall_score smallint,
      performance_criteria uuid[] not null,
      performance_scores smallint[] not null,
      performance_complete boolean not null,
      importance_criteria uuid[] not null,
      importance_scores smallint[] not null,
      importance_complete boolean not null,
      constraint response_summaries_pkey primary key (organization_id, response_id),
      constraint response_summaries_response_fkey foreign key (organization_id, response_id)
        references responses (organization_id, id) on delete cascade
    )`.execute(db);

  // The responses whose summary is to be recomputed at commit; empty outside a writing transaction. Each
  // transaction takes its own rows by its id (an index lookup, not a scan past other writers' dead rows).
  await sql`
    create table response_summary_queue (
      organization_id uuid not null,
      response_id uuid not null,
      transaction_id xid8 not null default pg_current_xact_id(),
      constraint response_summary_queue_pkey primary key (organization_id, response_id)
    )`.execute(db);
  await sql`create index response_summary_queue_transaction_idx on response_summary_queue (transaction_id)`.execute(
    db,
  );

  // Moves the three totals by the contributions of `gone` (subtracted) and `came` (added) summaries:
  // one netted, key-ordered upsert per table, always in the same table order. A wave being deleted
  // (its totals already cascaded away) is skipped.
  await sql`
    create function summary_totals_apply(gone response_summaries[], came response_summaries[])
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

  await sql`
    create function response_summaries_totals() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        perform summary_totals_apply('{}', (select coalesce(array_agg(n::response_summaries), '{}') from new_rows n));
      elsif tg_op = 'DELETE' then
        perform summary_totals_apply((select coalesce(array_agg(o::response_summaries), '{}') from old_rows o), '{}');
      else
        perform summary_totals_apply((select coalesce(array_agg(o::response_summaries), '{}') from old_rows o),
                                     (select coalesce(array_agg(n::response_summaries), '{}') from new_rows n));
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger response_summaries_insert after insert on response_summaries
            referencing new table as new_rows
            for each statement execute function response_summaries_totals()`.execute(db);
  await sql`create trigger response_summaries_update after update on response_summaries
            referencing old table as old_rows new table as new_rows
            for each statement execute function response_summaries_totals()`.execute(db);
  await sql`create trigger response_summaries_delete after delete on response_summaries
            referencing old table as old_rows
            for each statement execute function response_summaries_totals()`.execute(db);

  // Recomputes the summary of every queued response (deleting those of responses that are gone) and
  // empties the queue. The responses are locked first, in key order, so that the recomputation reads
  // their answers after any other writer of the same response has committed.
  await sql`
    create function response_summaries_refresh() returns void language plpgsql as $$
    declare
      keys_org uuid[];
      keys_id uuid[];
    begin
      with taken as (
        delete from response_summary_queue where transaction_id = pg_current_xact_id()
        returning organization_id, response_id
      )
      select array_agg(organization_id order by organization_id, response_id),
             array_agg(response_id order by organization_id, response_id)
        into keys_org, keys_id from taken;
      if keys_org is null then
        return;
      end if;
      perform 1 from responses r
        join unnest(keys_org, keys_id) k(organization_id, id) on r.organization_id = k.organization_id and r.id = k.id
        order by r.organization_id, r.id
        for no key update of r;

      delete from response_summaries s
      using unnest(keys_org, keys_id) k(organization_id, id)
      where s.organization_id = k.organization_id and s.response_id = k.id
        and not exists (select 1 from responses r where r.organization_id = k.organization_id and r.id = k.id);

      insert into response_summaries as s
        (organization_id, response_id, survey_id, role, account_id, status, overall_score,
         performance_criteria, performance_scores, performance_complete,
         importance_criteria, importance_scores, importance_complete)
      select r.organization_id, r.id, r.survey_id, r.role, r.account_id, r.status, r.overall_score,
             coalesce(a.performance_criteria, '{}'), coalesce(a.performance_scores, '{}'),
             r.role = 'customer' and q.k > 0 and coalesce(cardinality(a.performance_criteria), 0) = q.k,
             coalesce(a.importance_criteria, '{}'), coalesce(a.importance_scores, '{}'),
             q.k > 0 and coalesce(cardinality(a.importance_criteria), 0) = q.k
      from unnest(keys_org, keys_id) k(organization_id, id)
      join responses r on r.organization_id = k.organization_id and r.id = k.id
      cross join lateral (
        select array_agg(x.survey_criterion_id order by x.survey_criterion_id)
                 filter (where x.dimension = 'performance' and x.score is not null) as performance_criteria,
               array_agg(x.score order by x.survey_criterion_id)
                 filter (where x.dimension = 'performance' and x.score is not null) as performance_scores,
               array_agg(x.survey_criterion_id order by x.survey_criterion_id)
                 filter (where x.dimension = 'importance' and x.score is not null) as importance_criteria,
               array_agg(x.score order by x.survey_criterion_id)
                 filter (where x.dimension = 'importance' and x.score is not null) as importance_scores
        from answers x where x.organization_id = r.organization_id and x.response_id = r.id
      ) a
      cross join lateral (
        select count(*)::int as k from survey_criteria sc
        where sc.organization_id = r.organization_id and sc.survey_id = r.survey_id
          and (r.role = 'seller' or sc.audience = 'both')
      ) q
      order by r.organization_id, r.id
      on conflict on constraint response_summaries_pkey do update
        set survey_id = excluded.survey_id, role = excluded.role, account_id = excluded.account_id,
            status = excluded.status, overall_score = excluded.overall_score,
            performance_criteria = excluded.performance_criteria,
            performance_scores = excluded.performance_scores,
            performance_complete = excluded.performance_complete,
            importance_criteria = excluded.importance_criteria, importance_scores = excluded.importance_scores,
            importance_complete = excluded.importance_complete
        where (s.survey_id, s.role, s.account_id, s.status, s.overall_score, s.performance_criteria,
               s.performance_scores, s.performance_complete, s.importance_criteria, s.importance_scores,
               s.importance_complete)
              is distinct from
              (excluded.survey_id, excluded.role, excluded.account_id, excluded.status, excluded.overall_score,
               excluded.performance_criteria, excluded.performance_scores, excluded.performance_complete,
               excluded.importance_criteria, excluded.importance_scores, excluded.importance_complete);
    end $$`.execute(db);

  // At commit: the first queued row's trigger recomputes the whole queue; the others find theirs gone.
  await sql`
    create function response_summary_queue_flush() returns trigger language plpgsql as $$
    begin
      if exists (select 1 from response_summary_queue q
                 where q.organization_id = new.organization_id and q.response_id = new.response_id) then
        perform response_summaries_refresh();
      end if;
      return null;
    end $$`.execute(db);
  await sql`create constraint trigger response_summary_queue_flush after insert on response_summary_queue
            deferrable initially deferred
            for each row execute function response_summary_queue_flush()`.execute(db);

  // Queue the responses a statement touched: any change of answers; a response inserted or deleted, or
  // updated in what a summary holds (not its comment or version).
  await sql`
    create function response_summary_enqueue() returns trigger language plpgsql as $$
    begin
      if tg_table_name = 'answers' then
        if tg_op in ('INSERT', 'UPDATE') then
          insert into response_summary_queue (organization_id, response_id)
          select distinct organization_id, response_id from new_rows
          order by organization_id, response_id on conflict do nothing;
        end if;
        if tg_op in ('DELETE', 'UPDATE') then
          insert into response_summary_queue (organization_id, response_id)
          select distinct organization_id, response_id from old_rows
          order by organization_id, response_id on conflict do nothing;
        end if;
      elsif tg_op = 'INSERT' then
        insert into response_summary_queue (organization_id, response_id)
        select organization_id, id from new_rows order by organization_id, id on conflict do nothing;
      elsif tg_op = 'DELETE' then
        insert into response_summary_queue (organization_id, response_id)
        select organization_id, id from old_rows order by organization_id, id on conflict do nothing;
      else
        insert into response_summary_queue (organization_id, response_id)
        select organization_id, id from (
          select n.organization_id, n.id from new_rows n
          where not exists (
            select 1 from old_rows o
            where o.organization_id = n.organization_id and o.id = n.id
              and (o.survey_id, o.role, o.account_id, o.status, o.overall_score)
                  is not distinct from (n.survey_id, n.role, n.account_id, n.status, n.overall_score))
          union
          select o.organization_id, o.id from old_rows o
          where not exists (
            select 1 from new_rows n
            where n.organization_id = o.organization_id and n.id = o.id
              and (o.survey_id, o.role, o.account_id, o.status, o.overall_score)
                  is not distinct from (n.survey_id, n.role, n.account_id, n.status, n.overall_score))
        ) changed
        order by organization_id, id on conflict do nothing;
      end if;
      return null;
    end $$`.execute(db);
  for (const table of ['answers', 'responses']) {
    await sql`create trigger ${sql.raw(`${table}_summary_insert`)} after insert on ${sql.table(table)}
              referencing new table as new_rows
              for each statement execute function response_summary_enqueue()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_summary_update`)} after update on ${sql.table(table)}
              referencing old table as old_rows new table as new_rows
              for each statement execute function response_summary_enqueue()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_summary_delete`)} after delete on ${sql.table(table)}
              referencing old table as old_rows
              for each statement execute function response_summary_enqueue()`.execute(db);
  }

  // Summaries, and so the totals, for what is already there.
  await sql`insert into response_summary_queue (organization_id, response_id)
            select organization_id, id from responses on conflict do nothing`.execute(db);
  await sql`select response_summaries_refresh()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['answers', 'responses']) {
    for (const op of ['insert', 'update', 'delete']) {
      await sql`drop trigger ${sql.raw(`${table}_summary_${op}`)} on ${sql.table(table)}`.execute(db);
    }
  }
  await sql`drop function response_summary_enqueue()`.execute(db);
  await sql`drop table response_summary_queue`.execute(db);
  await sql`drop function response_summary_queue_flush()`.execute(db);
  await sql`drop function response_summaries_refresh()`.execute(db);
  await sql`drop function summary_totals_apply(response_summaries[], response_summaries[])`.execute(db);
  await sql`drop table response_summaries`.execute(db);
  await sql`drop function response_summaries_totals()`.execute(db);
  await sql`drop table reliability_totals`.execute(db);
  await sql`drop table driver_totals`.execute(db);
  await sql`drop table satisfaction_totals`.execute(db);
  await sql`alter table response_revisions
              drop column overall_answered, drop column overall_score`.execute(db);
  await sql`alter table responses drop column overall_answered, drop column overall_score`.execute(db);
  await sql`alter table surveys drop column overall_question`.execute(db);
}
