import { type Kysely, sql } from 'kysely';

// A contact's language may be unknown (null): an invitation then uses the wave's language. Existing contacts
// keep theirs, and an insert that names no language still gets 'nb' as before; only an explicit null is new.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table contacts alter column language drop not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update contacts set language = 'nb' where language is null`.execute(db);
  await sql`alter table contacts alter column language set not null`.execute(db);
}
