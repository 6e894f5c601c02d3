import { type Kysely, sql } from 'kysely';

// The report's response rate reads running counts instead of every invitation and response of the wave:
// per wave × role × account, `invited` (invitations not revoked) and `responded` (their submitted
// responses). Triggers keep them exact in the same transaction as every write, as answer_totals is kept.
// `invited` follows invitations alone and `responded` responses alone: the revoked-invitations rule (a
// revoked link has no submitted response, both ways round) makes every submitted response one of a link
// not revoked, so revoking or deleting an invitation never needs to look at its response — and a
// cascading delete of responses counts itself, whichever trigger runs first.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('response_counts')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('account_id', 'uuid')
    .addColumn('invited', 'bigint', (col) => col.notNull())
    .addColumn('responded', 'bigint', (col) => col.notNull())
    .addForeignKeyConstraint(
      'response_counts_survey_fkey',
      ['organization_id', 'survey_id'],
      'surveys',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await sql`alter table response_counts add constraint response_counts_key unique nulls not distinct
            (organization_id, survey_id, role, account_id)`.execute(db);

  // Statement-level for inserts and deletes (a bulk invitation is one upsert per account), grouped and
  // ordered so concurrent writers lock count rows in the same order; row-level for updates, filtered by
  // WHEN so that opening a link, renewing it or saving a draft writes nothing here.
  await sql`
    create function response_counts_invitations_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into response_counts as c (organization_id, survey_id, role, account_id, invited, responded)
        select organization_id, survey_id, role, account_id, count(*), 0
        from new_rows where revoked_at is null
        group by organization_id, survey_id, role, account_id
        order by organization_id, survey_id, role, account_id
        on conflict on constraint response_counts_key do update set invited = c.invited + excluded.invited;
      elsif tg_op = 'DELETE' then
        insert into response_counts as c (organization_id, survey_id, role, account_id, invited, responded)
        select organization_id, survey_id, role, account_id, -count(*), 0
        from old_rows where revoked_at is null
        group by organization_id, survey_id, role, account_id
        order by organization_id, survey_id, role, account_id
        on conflict on constraint response_counts_key do update set invited = c.invited + excluded.invited;
      else
        insert into response_counts as c (organization_id, survey_id, role, account_id, invited, responded)
        select organization_id, survey_id, role, account_id, sum(delta), 0
        from (select old.organization_id, old.survey_id, old.role, old.account_id, -1 as delta
              where old.revoked_at is null
              union all
              select new.organization_id, new.survey_id, new.role, new.account_id, 1
              where new.revoked_at is null) as change
        group by organization_id, survey_id, role, account_id
        having sum(delta) <> 0
        order by organization_id, survey_id, role, account_id
        on conflict on constraint response_counts_key do update set invited = c.invited + excluded.invited;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger response_counts_insert after insert on invitations referencing new table as new_rows
            for each statement execute function response_counts_invitations_apply()`.execute(db);
  await sql`create trigger response_counts_delete after delete on invitations referencing old table as old_rows
            for each statement execute function response_counts_invitations_apply()`.execute(db);
  await sql`create trigger response_counts_update after update on invitations for each row
            when ((old.revoked_at is null) is distinct from (new.revoked_at is null)
                  or (old.organization_id, old.survey_id, old.role, old.account_id)
                     is distinct from (new.organization_id, new.survey_id, new.role, new.account_id))
            execute function response_counts_invitations_apply()`.execute(db);

  await sql`
    create function response_counts_responses_apply() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        insert into response_counts as c (organization_id, survey_id, role, account_id, invited, responded)
        select organization_id, survey_id, role, account_id, 0, count(*)
        from new_rows where status = 'submitted'
        group by organization_id, survey_id, role, account_id
        order by organization_id, survey_id, role, account_id
        on conflict on constraint response_counts_key do update set responded = c.responded + excluded.responded;
      elsif tg_op = 'DELETE' then
        insert into response_counts as c (organization_id, survey_id, role, account_id, invited, responded)
        select organization_id, survey_id, role, account_id, 0, -count(*)
        from old_rows where status = 'submitted'
        group by organization_id, survey_id, role, account_id
        order by organization_id, survey_id, role, account_id
        on conflict on constraint response_counts_key do update set responded = c.responded + excluded.responded;
      else
        insert into response_counts as c (organization_id, survey_id, role, account_id, invited, responded)
        select organization_id, survey_id, role, account_id, 0, sum(delta)
        from (select old.organization_id, old.survey_id, old.role, old.account_id, -1 as delta
              where old.status = 'submitted'
              union all
              select new.organization_id, new.survey_id, new.role, new.account_id, 1
              where new.status = 'submitted') as change
        group by organization_id, survey_id, role, account_id
        having sum(delta) <> 0
        order by organization_id, survey_id, role, account_id
        on conflict on constraint response_counts_key do update set responded = c.responded + excluded.responded;
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger response_counts_insert after insert on responses referencing new table as new_rows
            for each statement execute function response_counts_responses_apply()`.execute(db);
  await sql`create trigger response_counts_delete after delete on responses referencing old table as old_rows
            for each statement execute function response_counts_responses_apply()`.execute(db);
  await sql`create trigger response_counts_update after update on responses for each row
            when ((old.status = 'submitted') is distinct from (new.status = 'submitted')
                  or (old.organization_id, old.survey_id, old.role, old.account_id)
                     is distinct from (new.organization_id, new.survey_id, new.role, new.account_id))
            execute function response_counts_responses_apply()`.execute(db);

  // Counts for what is already there, by the report's own rule.
  await sql`
    insert into response_counts (organization_id, survey_id, role, account_id, invited, responded)
    select i.organization_id, i.survey_id, i.role, i.account_id,
           count(*) filter (where i.revoked_at is null),
           count(r.id) filter (where i.revoked_at is null)
    from invitations i
    left join responses r
      on r.organization_id = i.organization_id and r.invitation_id = i.id and r.status = 'submitted'
    group by i.organization_id, i.survey_id, i.role, i.account_id`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger response_counts_update on responses`.execute(db);
  await sql`drop trigger response_counts_delete on responses`.execute(db);
  await sql`drop trigger response_counts_insert on responses`.execute(db);
  await sql`drop function response_counts_responses_apply()`.execute(db);
  await sql`drop trigger response_counts_update on invitations`.execute(db);
  await sql`drop trigger response_counts_delete on invitations`.execute(db);
  await sql`drop trigger response_counts_insert on invitations`.execute(db);
  await sql`drop function response_counts_invitations_apply()`.execute(db);
  await db.schema.dropTable('response_counts').execute();
}
