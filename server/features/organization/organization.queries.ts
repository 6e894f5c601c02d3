import type { Db } from '../../db/database.js';

/**
 * What an organisation promises its respondents: its name (the supplier they answer about), k (a confidential
 * wave shows no customer cut of fewer respondents) and whom to contact to see or erase their data.
 */
export function findPrivacyPromise(db: Db, organizationId: string) {
  return db
    .selectFrom('organizations')
    .select(['name', 'min_group_size as minGroupSize', 'privacy_contact as privacyContact'])
    .where('id', '=', organizationId)
    .executeTakeFirstOrThrow();
}
