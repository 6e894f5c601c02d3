import { type Kysely, sql } from 'kysely';

// The report reads reliability_totals one series × criterion at a time (summed over the accounts under its
// filter): its key now orders the criterion before the account, so each of those reads is one range of the
// index instead of every row of the wave hashed by series and criterion. Same columns, same uniqueness, same
// name (the totals trigger upserts on it).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table reliability_totals
      drop constraint reliability_totals_key,
      add constraint reliability_totals_key unique nulls not distinct
        (organization_id, survey_id, series, survey_criterion_id, account_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table reliability_totals
      drop constraint reliability_totals_key,
      add constraint reliability_totals_key unique nulls not distinct
        (organization_id, survey_id, series, account_id, survey_criterion_id)`.execute(db);
}
