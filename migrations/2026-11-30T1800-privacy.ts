import { type Kysely, sql } from 'kysely';

// Respondents' personal data (issue 13): an append-only audit log of privacy requests and exports, a
// retention period per organisation, and the markers erasure and retention leave behind. Erasing keeps
// every response (so every total stays exact) but cuts what ties it to a person: the invitation keeps its
// wave, role and account for the counts, and loses its address, name, contact, user and link.
export async function up(db: Kysely<any>): Promise<void> {
  // Who did what, when, to which wave — counts only, never content. A privacy request stores a keyed hash
  // of the address (subject_hash), so that handling a request for an address can be proved later without
  // the log holding it. No foreign key to the wave or the user: a log outlives what it names.
  await db.schema
    .createTable('audit_log')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // null: the scheduled retention job
    .addColumn('user_id', 'uuid')
    .addColumn('action', 'text', (col) => col.notNull().check(sql`action ~ '^[a-z][a-z_]{0,59}$'`))
    .addColumn('survey_id', 'uuid')
    .addColumn('subject_hash', 'bytea', (col) => col.check(sql`octet_length(subject_hash) = 32`))
    .addColumn('detail', 'jsonb', (col) =>
      col.notNull().defaultTo(sql`'{}'::jsonb`).check(sql`jsonb_typeof(detail) = 'object'`),
    )
    .addPrimaryKeyConstraint('audit_log_pkey', ['organization_id', 'id'])
    .execute();
  await sql`create index audit_log_by_time on audit_log (organization_id, at desc)`.execute(db);

  // Append-only: rows leave only with their organisation (the cascade runs after the organisation's row
  // is gone, so "its organisation no longer exists" is exactly that case).
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' and not exists (select 1 from organizations o where o.id = old.organization_id) then
        return old;
      end if;
      raise exception 'the audit log is append-only'
        using errcode = 'check_violation', constraint = 'audit_log_append_only_check';
    end $$`.execute(db);
  await sql`create trigger audit_log_append_only before update or delete on audit_log
            for each row execute function audit_log_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
            for each statement execute function audit_log_append_only()`.execute(db);

  // null: personal data is kept until erased. 30 days at least: a wave can be reopened for 30 days.
  await db.schema
    .alterTable('organizations')
    .addColumn('retention_days', 'integer', (col) => col.check(sql`retention_days between 30 and 3650`))
    .execute();

  // An erased (or retention-anonymised) invitation: no address, name, contact, user or working link.
  await db.schema.alterTable('invitations').addColumn('erased_at', 'timestamptz').execute();
  await db.schema
    .alterTable('invitations')
    .addCheckConstraint(
      'invitations_erased_check',
      sql`erased_at is null or (name is null and contact_id is null and user_id is null
          and email = 'erased-' || id || '@invalid')`,
    )
    .execute();
  await db.schema.alterTable('responses').addColumn('erased_at', 'timestamptz').execute();
  // The retention job's mark: this wave's personal data is anonymised.
  await db.schema.alterTable('surveys').addColumn('anonymised_at', 'timestamptz').execute();

  // Comments of a wave anonymised by retention: the text without its response, so without the account.
  await db.schema
    .createTable('survey_comments')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('customer', 'seller')`))
    .addColumn('comment', 'text', (col) => col.notNull().check(sql`char_length(comment) <= 5000`))
    .addPrimaryKeyConstraint('survey_comments_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint(
      'survey_comments_survey_fkey',
      ['organization_id', 'survey_id'],
      'surveys',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  // An opt-out outlives the erasure of its address: it is then kept as a keyed hash of the address.
  await sql`alter table email_opt_outs
    drop constraint email_opt_outs_pkey,
    alter column email drop not null,
    add column email_hash bytea check (octet_length(email_hash) = 32),
    add constraint email_opt_outs_email_key unique (organization_id, email),
    add constraint email_opt_outs_email_hash_key unique (organization_id, email_hash),
    add constraint email_opt_outs_one_form_check check ((email is null) <> (email_hash is null))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from email_opt_outs where email is null`.execute(db);
  await sql`alter table email_opt_outs
    drop constraint email_opt_outs_one_form_check,
    drop constraint email_opt_outs_email_hash_key,
    drop constraint email_opt_outs_email_key,
    drop column email_hash,
    alter column email set not null,
    add constraint email_opt_outs_pkey primary key (organization_id, email)`.execute(db);
  await db.schema.dropTable('survey_comments').execute();
  await db.schema.alterTable('surveys').dropColumn('anonymised_at').execute();
  await db.schema.alterTable('responses').dropColumn('erased_at').execute();
  await db.schema.alterTable('invitations').dropConstraint('invitations_erased_check').execute();
  await db.schema.alterTable('invitations').dropColumn('erased_at').execute();
  await db.schema.alterTable('organizations').dropColumn('retention_days').execute();
  await db.schema.dropTable('audit_log').execute();
  await sql`drop function audit_log_append_only()`.execute(db);
}
