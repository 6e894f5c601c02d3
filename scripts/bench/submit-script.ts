// The database's ceiling for submitting: the statements saveResponse (respondent.queries.ts) issues for a
// first submission, captured from a real call through Kysely's query log and written out as a pgbench
// script. Each pgbench transaction takes the next unused invitation from a numbered list (one small
// SELECT before the transaction, as the route reads the invitation before its transaction too).
import { writeFileSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../server/db/database.js';
import { type Ratings, saveResponse } from '../../server/features/respondent/respondent.queries.js';

export interface SubmitInvitation {
  organizationId: string;
  invitationId: string;
  surveyId: string;
  role: 'customer';
  accountId: string | null;
}

const literal = (value: unknown): string => {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = value instanceof Date ? value.toISOString() : String(value);
  return `'${text.replaceAll("'", "''")}'`;
};

/**
 * Stores `sample`'s response through saveResponse while recording its SQL, numbers `pool` (invitations no
 * one has answered; customers with an account, like the sample) for pgbench, and writes the script to `file`.
 */
export async function writeSubmitScript(options: {
  url: string;
  file: string;
  sample: SubmitInvitation;
  pool: string[];
  ratings: Ratings;
  /** Overall satisfaction, as the seeded waves ask it. */
  overall?: number | null;
}): Promise<string[]> {
  const captured: { sql: string; parameters: readonly unknown[] }[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.url, max: 1 }) }),
    log: (event) => {
      if (event.level === 'query') captured.push(event.query);
    },
  });
  try {
    await saveResponse(
      db,
      options.sample,
      { ratings: options.ratings, overall: options.overall, comment: null, submit: true },
      () => 'both',
    );
    const statements = captured.filter((query) => !/^(begin|commit|rollback)\b/i.test(query.sql));
    const responseId = (
      await db
        .selectFrom('responses')
        .select('id')
        .where('invitation_id', '=', options.sample.invitationId)
        .executeTakeFirstOrThrow()
    ).id;
    const lines = statements.map((query) => {
      const text = query.sql.replace(/\$(\d+)/g, (_, n: string) => {
        const value = query.parameters[Number(n) - 1];
        if (value === options.sample.invitationId) return ':inv';
        if (value === responseId) return ':rid';
        if (value !== null && value === options.sample.accountId) return ':acc';
        return literal(value);
      });
      // The new response's id feeds the statements after it.
      return /^insert into "responses"/i.test(text)
        ? `${text.replace(/returning "id"$/i, 'returning "id" as rid')}\n\\gset`
        : `${text};`;
    });
    await sql`create table bench_pgbench_invitations (n int primary key, invitation_id uuid not null)`.execute(
      db,
    );
    await sql`create sequence bench_pgbench_seq`.execute(db);
    await sql`insert into bench_pgbench_invitations (n, invitation_id)
              select n, id from unnest(${options.pool}::uuid[]) with ordinality t(id, n)`.execute(db);
    const script = [
      "select b.invitation_id as inv, i.account_id as acc from bench_pgbench_invitations b join invitations i on i.id = b.invitation_id where b.n = (select nextval('bench_pgbench_seq'))",
      '\\gset',
      'begin;',
      ...lines,
      'commit;',
      '',
    ].join('\n');
    writeFileSync(options.file, script);
    return statements.map((query) => query.sql);
  } finally {
    await db.destroy();
  }
}
