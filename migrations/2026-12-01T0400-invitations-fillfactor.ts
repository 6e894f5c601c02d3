import { type Kysely, sql } from 'kysely';

// Every invitation row is updated at least once after it is written in bulk: opening the link sets
// `opened_at`. On a full page that update cannot stay on the page, so it writes a new entry in each of the
// table's five indexes (a non-HOT update). Leaving 15 % of each new page free lets PostgreSQL update the row
// in place of its index entries (HOT). Rows written before this migration keep their pages until rewritten.
// See docs/decisions/0009-opening-a-link.md.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table invitations set (fillfactor = 85)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table invitations reset (fillfactor)`.execute(db);
}
