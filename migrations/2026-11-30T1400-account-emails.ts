import { type Kysely, sql } from 'kysely';

// Account emails: a new user's "set your password" link, "forgot password" links, sign-up confirmations
// and the "you already have an account" note. One row is one email and, for the kinds with a link, its
// single-use token: the salt and SHA-256 of the token are stored (the link is rendered again at send time
// from the salt and the server's key), never the token. A pending sign-up has no organisation yet: the
// organisation and its admin are created when the link is followed. Users now start without a password.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .alterColumn('password_hash', (col) => col.dropNotNull())
    .execute();

  await db.schema
    .createTable('account_emails')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (col) =>
      col.notNull().check(sql`kind in ('welcome', 'password_reset', 'signup', 'account_exists')`),
    )
    .addColumn('organization_id', 'uuid', (col) => col.references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid')
    .addColumn('email', 'text', (col) =>
      col.notNull().check(sql`char_length(email) <= 254 and email = lower(email)`),
    )
    .addColumn('name', 'text', (col) => col.check(sql`char_length(name) between 1 and 200`))
    .addColumn('organization_name', 'text', (col) =>
      col.check(sql`char_length(organization_name) between 1 and 200`),
    )
    .addColumn('language', 'text', (col) => col.notNull().check(sql`language in ('nb', 'en')`))
    .addColumn('token_salt', 'bytea')
    .addColumn('token_hash', 'bytea', (col) => col.unique())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('used_at', 'timestamptz')
    .addColumn('status', 'text', (col) =>
      col
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'sending', 'sent', 'failed', 'skipped', 'outbox')`),
    )
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn('last_error', 'text', (col) => col.check(sql`char_length(last_error) <= 1000`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addForeignKeyConstraint(
      'account_emails_user_fkey',
      ['organization_id', 'user_id'],
      'users',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    // A sign-up names the organisation to create and its admin; every other kind names an existing user.
    .addCheckConstraint(
      'account_emails_shape_check',
      sql`case when kind = 'signup'
            then organization_id is null and user_id is null and organization_name is not null and name is not null
            else organization_id is not null and user_id is not null and organization_name is null end`,
    )
    // Every kind but the "you already have an account" note carries a link: salt, hash and expiry together.
    .addCheckConstraint(
      'account_emails_link_check',
      sql`(kind = 'account_exists') = (token_salt is null)
          and (token_salt is null) = (token_hash is null)
          and (token_salt is null) = (expires_at is null)
          and (used_at is null or token_salt is not null)`,
    )
    .addCheckConstraint(
      'account_emails_sent_check',
      sql`(status in ('sent', 'outbox')) = (sent_at is not null)`,
    )
    .execute();
  await sql`create index account_emails_by_organization on account_emails (organization_id, created_at desc)
            where organization_id is not null`.execute(db);
  await sql`create index account_emails_by_user on account_emails (organization_id, user_id)
            where user_id is not null`.execute(db);
  await sql`create index account_emails_by_address on account_emails (email, kind, created_at desc)`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('account_emails').execute();
  // Users who never set a password get one nobody can match ('!' is no argon2 hash).
  await sql`update users set password_hash = '!' where password_hash is null`.execute(db);
  await db.schema
    .alterTable('users')
    .alterColumn('password_hash', (col) => col.setNotNull())
    .execute();
}
