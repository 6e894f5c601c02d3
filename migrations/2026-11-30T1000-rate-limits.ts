import { type Kysely, sql } from 'kysely';

// Counters of failed attempts (logins, unknown survey links, sign-ups), shared by every app instance.
// The shape is the one rate-limiter-flexible's RateLimiterPostgres reads and writes: a key, the points
// consumed in the current window, and the window's end in epoch milliseconds. Not tenant data: keys are
// client addresses and hashes of login emails.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('points', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
  await sql`create index rate_limits_expire_idx on rate_limits (expire)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
}
