import { type Kysely, sql } from 'kysely';

// Confidential waves (issue 13): a wave promises its customers that their answers are shown only in groups
// of at least k respondents (k per organisation, 1–50, default 3), and says so on the form and in the email.
// Waves made before this promised nothing, so they stay open (figures shown as before); new waves are
// confidential unless their maker chooses otherwise. The organisation names whom respondents contact to see
// or erase their data.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table surveys add column confidential boolean not null default false`.execute(db);
  await sql`alter table surveys alter column confidential set default true`.execute(db);
  await sql`alter table organizations
    add column min_group_size integer not null default 3
      constraint organizations_min_group_size_check check (min_group_size between 1 and 50),
    add column privacy_contact text
      constraint organizations_privacy_contact_check check (char_length(privacy_contact) between 3 and 254)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table organizations drop column privacy_contact, drop column min_group_size`.execute(db);
  await sql`alter table surveys drop column confidential`.execute(db);
}
