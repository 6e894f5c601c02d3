import { type Kysely, sql } from 'kysely';

// A revoked link has no submitted response: revoking an answered link is refused, and a response on a
// revoked link cannot become submitted. (The app checks both under a row lock; this makes it a rule.)
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function invitations_revoke_check() returns trigger language plpgsql as $$
    begin
      if new.revoked_at is not null and old.revoked_at is null and exists (
        select 1 from responses r
        where r.organization_id = new.organization_id and r.invitation_id = new.id and r.status = 'submitted'
      ) then
        raise exception 'invitation % has a submitted response and cannot be revoked', new.id
          using errcode = 'check_violation', constraint = 'invitations_revoke_answered_check';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger invitations_revoke_check before update of revoked_at on invitations
            for each row execute function invitations_revoke_check()`.execute(db);

  await sql`
    create function responses_revoked_check() returns trigger language plpgsql as $$
    begin
      if new.status = 'submitted' and exists (
        select 1 from invitations i
        where i.organization_id = new.organization_id and i.id = new.invitation_id and i.revoked_at is not null
      ) then
        raise exception 'invitation % is revoked: its response cannot be submitted', new.invitation_id
          using errcode = 'check_violation', constraint = 'responses_revoked_invitation_check';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger responses_revoked_check before insert or update of status on responses
            for each row execute function responses_revoked_check()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger responses_revoked_check on responses`.execute(db);
  await sql`drop function responses_revoked_check()`.execute(db);
  await sql`drop trigger invitations_revoke_check on invitations`.execute(db);
  await sql`drop function invitations_revoke_check()`.execute(db);
}
