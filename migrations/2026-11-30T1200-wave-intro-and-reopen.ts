import { type Kysely, sql } from 'kysely';

// A wave's intro text for respondents (plain text, shown escaped), and the rules of closing: a closed wave
// has a closed_at (an open or draft one has none), and it can be reopened only within 30 days of closing.
// An open wave past its close date counts as closed since that date, so it is held to the same window, and
// closing it later does not restart the window. (The app checks the same under a row lock; this makes it a
// rule for every writer.)
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('surveys')
    .addColumn('intro', 'text', (col) => col.check(sql`char_length(intro) between 1 and 1000`))
    .execute();

  await sql`update surveys set closed_at = coalesce(closes_at, opened_at, created_at)
            where status = 'closed' and closed_at is null`.execute(db);
  await sql`update surveys set closed_at = null where status <> 'closed' and closed_at is not null`.execute(
    db,
  );
  await db.schema
    .alterTable('surveys')
    .addCheckConstraint('surveys_closed_check', sql`(status = 'closed') = (closed_at is not null)`)
    .execute();

  await sql`
    create function surveys_close_rules() returns trigger language plpgsql as $$
    declare
      closed_since timestamptz := case
        when old.status = 'closed' then old.closed_at
        when old.status = 'open' and old.closes_at <= now() then old.closes_at
      end;
    begin
      if closed_since is not null and new.status = 'closed' and old.status = 'open' then
        new.closed_at := least(new.closed_at, closed_since);
      end if;
      if closed_since is not null and closed_since <= now() - interval '30 days'
         and new.status = 'open' and (new.closes_at is null or new.closes_at > now()) then
        raise exception 'survey % closed more than 30 days ago and cannot be reopened', new.id
          using errcode = 'check_violation', constraint = 'surveys_reopen_window_check';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger surveys_close_rules before update of status, closes_at, closed_at on surveys
            for each row execute function surveys_close_rules()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger surveys_close_rules on surveys`.execute(db);
  await sql`drop function surveys_close_rules()`.execute(db);
  await db.schema.alterTable('surveys').dropConstraint('surveys_closed_check').execute();
  await db.schema.alterTable('surveys').dropColumn('intro').execute();
}
