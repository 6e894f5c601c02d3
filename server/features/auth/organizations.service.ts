import type { Kysely } from 'kysely';
import type { Database, Db, Role } from '../../db/database.js';
import { hashPassword } from '../../lib/passwords.js';
import { DEFAULT_CRITERIA } from '../criteria/default-criteria.js';
import { insertOrganization, insertUser } from './auth.queries.js';

export interface NewOrganization {
  organizationName: string;
  name: string;
  email: string;
  password: string;
}

/**
 * An organisation with its first admin and the default criteria library; run inside a transaction.
 * Throws a unique violation when the email is taken.
 */
export async function insertOrganizationWithAdmin(
  trx: Db,
  input: { organizationName: string; name: string; email: string; passwordHash: string },
) {
  const organizationId = await insertOrganization(trx, input.organizationName);
  await trx
    .insertInto('criteria')
    .values(
      DEFAULT_CRITERIA.map((criterion, position) => ({
        organization_id: organizationId,
        key: criterion.key,
        label_nb: criterion.nb,
        label_en: criterion.en,
        audience: criterion.audience,
        position,
      })),
    )
    .execute();
  const userId = await insertUser(trx, organizationId, {
    email: input.email,
    name: input.name,
    role: 'admin',
    passwordHash: input.passwordHash,
  });
  return { organizationId, userId };
}

/**
 * An organisation with a password typed in, atomically: the operator CLI's bootstrap path (sign-up in the
 * browser confirms the address by email first: account-emails.service.ts).
 */
export async function createOrganization(db: Kysely<Database>, input: NewOrganization) {
  const passwordHash = await hashPassword(input.password);
  return db
    .transaction()
    .execute(async (trx) => insertOrganizationWithAdmin(trx, { ...input, passwordHash }));
}

export interface NewMember {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** A user with a password typed in: the operator CLI and tests (the users page emails a link instead). */
export async function createMember(db: Kysely<Database>, organizationId: string, input: NewMember) {
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => insertUser(trx, organizationId, { ...input, passwordHash }));
}
