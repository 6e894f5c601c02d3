import { type Kysely, sql } from 'kysely';

// Reports read running totals instead of scanning every answer: per wave × criterion × role × dimension ×
// account, the count, sum and sum of squares of SUBMITTED scores. Triggers on `answers` keep them exact in
// the same transaction as every write, so no code path can forget to; `answers` carries its response's
// status (kept equal by a cascading foreign key) and account, so the triggers need no joins. (No check
// constraint on the totals: an upsert of a negative delta is checked as an insert before it becomes an update.)
export async function up(db: Kysely<any>): Promise<void> {
  // responses.account_id: the invitation's account (customers) — checked against the invitation.
  await db.schema
    .alterTable('invitations')
    .addUniqueConstraint('invitations_account_key', ['organization_id', 'id', 'account_id'])
    .execute();
  await db.schema.alterTable('responses').addColumn('account_id', 'uuid').execute();
  await sql`update responses r set account_id = i.account_id from invitations i
            where i.organization_id = r.organization_id and i.id = r.invitation_id`.execute(db);
  await db.schema
    .alterTable('responses')
    .addCheckConstraint('responses_account_check', sql`(role = 'customer') = (account_id is not null)`)
    .execute();
  await db.schema
    .alterTable('responses')
    .addForeignKeyConstraint(
      'responses_account_fkey',
      ['organization_id', 'invitation_id', 'account_id'],
      'invitations',
      ['organization_id', 'id', 'account_id'],
    )
    .onDelete('cascade')
    .execute();
  await db.schema
    .alterTable('responses')
    .addUniqueConstraint('responses_status_key', ['organization_id', 'id', 'status'])
    .execute();
  await db.schema
    .alterTable('responses')
    .addUniqueConstraint('responses_account_key', ['organization_id', 'id', 'account_id'])
    .execute();

  // answers.response_status and answers.account_id mirror the response's.
  await db.schema
    .alterTable('answers')
    .addColumn('response_status', 'text')
    .addColumn('account_id', 'uuid')
    .execute();
  await sql`update answers a set response_status = r.status, account_id = r.account_id from responses r
            where r.organization_id = a.organization_id and r.id = a.response_id`.execute(db);
  await db.schema
    .alterTable('answers')
    .alterColumn('response_status', (col) => col.setNotNull())
    .execute();
  await db.schema
    .alterTable('answers')
    .addCheckConstraint('answers_account_check', sql`(role = 'customer') = (account_id is not null)`)
    .execute();
  await db.schema
    .alterTable('answers')
    .addForeignKeyConstraint(
      'answers_response_status_fkey',
      ['organization_id', 'response_id', 'response_status'],
      'responses',
      ['organization_id', 'id', 'status'],
    )
    .onUpdate('cascade')
    .onDelete('cascade')
    .execute();
  await db.schema
    .alterTable('answers')
    .addForeignKeyConstraint(
      'answers_account_fkey',
      ['organization_id', 'response_id', 'account_id'],
      'responses',
      ['organization_id', 'id', 'account_id'],
    )
    .onDelete('cascade')
    .execute();

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

  // Totals for what is already there.
  await sql`
    insert into answer_totals (organization_id, survey_id, survey_criterion_id, role, dimension, account_id, n, sum, sum_squares, answered)
    select organization_id, survey_id, survey_criterion_id, role, dimension, account_id,
           count(score), coalesce(sum(score), 0), coalesce(sum(score::int * score::int), 0), count(*)
    from answers where response_status = 'submitted'
    group by organization_id, survey_id, survey_criterion_id, role, dimension, account_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('answer_totals').execute();
  await sql`drop trigger answer_totals_insert on answers`.execute(db);
  await sql`drop trigger answer_totals_delete on answers`.execute(db);
  await sql`drop trigger answer_totals_update on answers`.execute(db);
  await sql`drop function answer_totals_apply()`.execute(db);
  await db.schema.alterTable('answers').dropConstraint('answers_account_fkey').execute();
  await db.schema.alterTable('answers').dropConstraint('answers_response_status_fkey').execute();
  await db.schema.alterTable('answers').dropConstraint('answers_account_check').execute();
  await db.schema.alterTable('answers').dropColumn('response_status').dropColumn('account_id').execute();
  await db.schema.alterTable('responses').dropConstraint('responses_account_key').execute();
  await db.schema.alterTable('responses').dropConstraint('responses_status_key').execute();
  await db.schema.alterTable('responses').dropConstraint('responses_account_fkey').execute();
  await db.schema.alterTable('responses').dropConstraint('responses_account_check').execute();
  await db.schema.alterTable('responses').dropColumn('account_id').execute();
  await db.schema.alterTable('invitations').dropConstraint('invitations_account_key').execute();
}
