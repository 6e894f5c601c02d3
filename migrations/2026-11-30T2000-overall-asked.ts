import { type Kysely, sql } from 'kysely';

// A response carries an overall-satisfaction answer only in a wave that asks the question (issue 12): the
// app's parsers refuse it elsewhere, and now so does the database, for every writer. A check constraint
// cannot look at another table, so a trigger raises the named check violation instead.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function responses_overall_asked() returns trigger language plpgsql as $$
    begin
      if new.overall_answered and not exists (
        select 1 from surveys s
        where s.organization_id = new.organization_id and s.id = new.survey_id and s.overall_question
      ) then
        raise exception 'responses_overall_asked_check: the wave does not ask overall satisfaction'
          using errcode = 'check_violation', constraint = 'responses_overall_asked_check';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger responses_overall_asked before insert or update of overall_answered, survey_id
            on responses for each row when (new.overall_answered)
            execute function responses_overall_asked()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger responses_overall_asked on responses`.execute(db);
  await sql`drop function responses_overall_asked()`.execute(db);
}
