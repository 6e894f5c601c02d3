import { type Kysely, sql } from 'kysely';
import type { Database, Db } from '../../db/database.js';

export function listUsers(db: Db, organizationId: string) {
  return db
    .selectFrom('users')
    .select([
      'id',
      'email',
      'name',
      'role',
      'active',
      // false until the user has chosen a password through their emailed link
      sql<boolean>`password_hash is not null`.as('hasPassword'),
      'created_at as createdAt',
    ])
    .where('organization_id', '=', organizationId)
    .orderBy('name')
    .execute();
}

/** Deactivates a user and ends their sessions; their API keys stop working with them. */
export async function deactivateUser(
  db: Kysely<Database>,
  organizationId: string,
  userId: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .updateTable('users')
      .set({ active: false })
      .where('organization_id', '=', organizationId)
      .where('id', '=', userId)
      .executeTakeFirst();
    await trx
      .deleteFrom('sessions')
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .execute();
    return result.numUpdatedRows > 0n;
  });
}
