import { type Kysely, sql } from 'kysely';

// Tenancy rule: every tenant-owned table carries organization_id, and its primary key, unique
// constraints and foreign keys include it, so the database refuses rows that point across tenants.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'uuid', (col) => col.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (col) => col.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('small_sample_threshold', 'integer', (col) =>
      col.notNull().defaultTo(5).check(sql`small_sample_threshold between 1 and 1000`),
    )
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (col) =>
      col.notNull().check(sql`char_length(email) <= 254 and email = lower(email)`),
    )
    .addColumn('name', 'text', (col) => col.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('admin', 'manager', 'kam')`))
    .addColumn('password_hash', 'text', (col) => col.notNull())
    .addColumn('active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('users_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('users_email_key', ['organization_id', 'email'])
    .execute();

  // The one global directory: a login email names exactly one user in one organisation.
  // (Under a distributed deployment this is a reference table.)
  await db.schema
    .createTable('login_identities')
    .addColumn('email', 'text', (col) => col.primaryKey())
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('user_id', 'uuid', (col) => col.notNull())
    .addForeignKeyConstraint(
      'login_identities_user_fkey',
      ['organization_id', 'user_id'],
      'users',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addUniqueConstraint('login_identities_user_key', ['organization_id', 'user_id'])
    .execute();

  // Server-side sessions; the id column holds a SHA-256 of the cookie's session id, never the id itself.
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('data', 'jsonb', (col) => col.notNull())
    .addColumn('organization_id', 'uuid')
    .addColumn('user_id', 'uuid')
    .addColumn('expires_at', 'timestamptz', (col) => col.notNull())
    .addForeignKeyConstraint(
      'sessions_user_fkey',
      ['organization_id', 'user_id'],
      'users',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('sessions_expires_at_idx').on('sessions').column('expires_at').execute();
  await db.schema
    .createIndex('sessions_user_idx')
    .on('sessions')
    .columns(['organization_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('key_hash', 'bytea', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addPrimaryKeyConstraint('api_keys_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('api_keys_key_hash_key', ['organization_id', 'key_hash'])
    .addForeignKeyConstraint(
      'api_keys_user_fkey',
      ['organization_id', 'user_id'],
      'users',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('api_keys_lookup_idx').on('api_keys').column('key_hash').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['api_keys', 'sessions', 'login_identities', 'users', 'organizations']) {
    await db.schema.dropTable(table).execute();
  }
}
