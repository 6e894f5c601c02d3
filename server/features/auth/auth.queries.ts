import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database, Db, Role } from '../../db/database.js';
import { preparedHashLookup } from '../../db/prepared.js';
import { randomToken, sha256 } from '../../lib/crypto.js';
import type { Principal } from '../../plugins/auth.js';

export async function findPrincipalByUserId(
  db: Db,
  organizationId: string,
  userId: string,
): Promise<Principal | null> {
  const row = await db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select([
      'users.organization_id as organizationId',
      'organizations.name as organizationName',
      'users.id as userId',
      'users.email',
      'users.name',
      'users.role',
    ])
    .where('users.organization_id', '=', organizationId)
    .where('users.id', '=', userId)
    .where('users.active', '=', true)
    .executeTakeFirst();
  return row ? { ...row, via: 'session' } : null;
}

/** The active principal behind an API key's hash, with the key's id and last use. */
function principalByKeyHash(db: Db, keyHash: Buffer) {
  return db
    .selectFrom('api_keys')
    .innerJoin('users', (join) =>
      join
        .onRef('users.organization_id', '=', 'api_keys.organization_id')
        .onRef('users.id', '=', 'api_keys.user_id'),
    )
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select([
      'api_keys.id as keyId',
      'api_keys.last_used_at as lastUsedAt',
      'users.organization_id as organizationId',
      'organizations.name as organizationName',
      'users.id as userId',
      'users.email',
      'users.name',
      'users.role',
    ])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .where('users.active', '=', true);
}

/**
 * Who an API key belongs to (null: unknown, revoked, or its user deactivated). Every API call asks, so the
 * lookup is a prepared statement on the app's pool (planned once per connection, never rebuilt in Node).
 */
export function apiKeyPrincipals(db: Kysely<Database>, pool: pg.Pool) {
  const byHash = preparedHashLookup(pool, 'api_key_principal', (keyHash) => principalByKeyHash(db, keyHash));
  return async function findPrincipalByApiKey(key: string): Promise<Principal | null> {
    const row = (await byHash(sha256(key)))[0];
    if (!row) return null;
    const { keyId, lastUsedAt, ...principal } = row;
    // last_used_at is kept to the minute: most calls read it and write nothing.
    const minuteAgo = new Date(Date.now() - 60_000);
    if (lastUsedAt !== null && lastUsedAt >= minuteAgo) return { ...principal, via: 'apiKey' };
    await db
      .updateTable('api_keys')
      .set({ last_used_at: new Date() })
      .where('organization_id', '=', principal.organizationId)
      .where('id', '=', keyId)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', minuteAgo)]))
      .execute();
    return { ...principal, via: 'apiKey' };
  };
}

export async function findLoginByEmail(db: Db, email: string) {
  return db
    .selectFrom('login_identities')
    .innerJoin('users', (join) =>
      join
        .onRef('users.organization_id', '=', 'login_identities.organization_id')
        .onRef('users.id', '=', 'login_identities.user_id'),
    )
    .select([
      'users.organization_id as organizationId',
      'users.id as userId',
      'users.password_hash as passwordHash',
    ])
    .where('login_identities.email', '=', email)
    .where('users.active', '=', true)
    .executeTakeFirst();
}

export async function insertOrganization(db: Db, name: string): Promise<string> {
  const { id } = await db
    .insertInto('organizations')
    .values({ name })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export interface NewUser {
  email: string;
  name: string;
  role: Role;
  /** null: the user sets one through the emailed link. */
  passwordHash: string | null;
}

/** Inserts the user and its login identity; run inside a transaction. Throws on a taken email (unique violation). */
export async function insertUser(db: Db, organizationId: string, user: NewUser): Promise<string> {
  const { id } = await db
    .insertInto('users')
    .values({
      organization_id: organizationId,
      email: user.email,
      name: user.name,
      role: user.role,
      password_hash: user.passwordHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('login_identities')
    .values({ email: user.email, organization_id: organizationId, user_id: id })
    .execute();
  return id;
}

/** Creates a personal API key; the plain key is returned once and only its hash is stored. */
export async function insertApiKey(db: Db, organizationId: string, userId: string, name: string) {
  const key = `vd_${randomToken(32)}`;
  const { id } = await db
    .insertInto('api_keys')
    .values({
      organization_id: organizationId,
      user_id: userId,
      name,
      prefix: key.slice(0, 10),
      key_hash: sha256(key),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, key };
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
