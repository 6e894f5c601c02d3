import type { Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { AccountEmailKind, Database, Db, Language, Role } from '../../db/database.js';
import { hashPassword } from '../../lib/passwords.js';
import { enqueueAccountEmail } from '../email/email.service.js';
import {
  claimLink,
  countRecentAccountEmails,
  expireLinksOfUser,
  expireSignupLinksOf,
  findUserByLoginEmail,
  insertAccountEmail,
  type NewAccountEmail,
  setPasswordAndEndSessions,
} from './account-emails.queries.js';
import { hashAccountToken, LINK_LIFETIME_HOURS, newAccountToken } from './account-links.js';
import { insertUser, isUniqueViolation } from './auth.queries.js';
import { insertOrganizationWithAdmin } from './organizations.service.js';

/** What queueing an account email needs: the queue, and the key its link is made with. */
export interface AccountMail {
  boss: PgBoss;
  linkKey: Buffer;
}

const HOUR = 3600 * 1000;
/** At most this many emails of one kind to one address per hour, whoever asks. */
const PER_ADDRESS_PER_HOUR: Record<AccountEmailKind, number> = {
  welcome: 5,
  password_reset: 3,
  signup: 3,
  account_exists: 1,
};

/** Inserts an account email (with a fresh link for the kinds that carry one) and its job, in `trx`. */
async function queueAccountEmail(
  trx: Db,
  mail: AccountMail,
  email: Omit<NewAccountEmail, 'token'>,
): Promise<string> {
  const token =
    email.kind === 'account_exists'
      ? undefined
      : {
          ...newAccountToken(mail.linkKey),
          expiresAt: new Date(Date.now() + LINK_LIFETIME_HOURS[email.kind] * HOUR),
        };
  const id = await insertAccountEmail(trx, { ...email, ...(token ? { token } : {}) });
  await enqueueAccountEmail(trx, mail.boss, id);
  return id;
}

async function underCap(trx: Db, email: string, kind: AccountEmailKind): Promise<boolean> {
  const recent = await countRecentAccountEmails(trx, email, kind, new Date(Date.now() - HOUR));
  return recent < PER_ADDRESS_PER_HOUR[kind];
}

/**
 * An admin adds a user: created without a password, with a "choose your password" email (7 days), in one
 * transaction. Throws a unique violation when the address already has an account.
 */
export async function addUserWithWelcome(
  db: Kysely<Database>,
  mail: AccountMail,
  organizationId: string,
  input: { email: string; name: string; role: Role; language: Language },
): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const userId = await insertUser(trx, organizationId, { ...input, passwordHash: null });
    await queueAccountEmail(trx, mail, {
      kind: 'welcome',
      organizationId,
      userId,
      email: input.email,
      name: input.name,
      language: input.language,
    });
    return userId;
  });
}

/**
 * Sign-up: nothing is created yet. A new address gets a confirmation link (24 hours) that creates the
 * organisation; an address that already has an account gets a note saying so. The caller answers the same
 * either way, so the form never tells whether an address is registered.
 */
export async function requestSignup(
  db: Kysely<Database>,
  mail: AccountMail,
  input: { organizationName: string; name: string; email: string; language: Language },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const existing = await findUserByLoginEmail(trx, input.email);
    if (existing) {
      if (!existing.active || !(await underCap(trx, input.email, 'account_exists'))) return;
      await queueAccountEmail(trx, mail, {
        kind: 'account_exists',
        organizationId: existing.organizationId,
        userId: existing.userId,
        email: input.email,
        name: existing.name,
        language: input.language,
      });
      return;
    }
    if (!(await underCap(trx, input.email, 'signup'))) return;
    await queueAccountEmail(trx, mail, {
      kind: 'signup',
      organizationId: null,
      userId: null,
      email: input.email,
      name: input.name,
      organizationName: input.organizationName,
      language: input.language,
    });
  });
}

/** "Forgot password": a link (1 hour) to an active user's address; nothing for any other address. */
export async function requestPasswordReset(
  db: Kysely<Database>,
  mail: AccountMail,
  input: { email: string; language: Language },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByLoginEmail(trx, input.email);
    if (!user?.active || !(await underCap(trx, input.email, 'password_reset'))) return;
    await queueAccountEmail(trx, mail, {
      kind: 'password_reset',
      organizationId: user.organizationId,
      userId: user.userId,
      email: input.email,
      name: user.name,
      language: input.language,
    });
  });
}

export type LinkOutcome =
  | { ok: true; organizationId: string; userId: string }
  | { ok: false; reason: 'invalid' | 'taken' };

/**
 * Sets a password with a welcome or reset link, atomically: the link is used up, every other link of the
 * user stops working, and every session of the user ends.
 */
export async function setPasswordWithLink(
  db: Kysely<Database>,
  token: string,
  password: string,
): Promise<LinkOutcome> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx): Promise<LinkOutcome> => {
    const link = await claimLink(trx, hashAccountToken(token), ['welcome', 'password_reset']);
    if (!link?.organizationId || !link.userId) return { ok: false, reason: 'invalid' };
    const { organizationId, userId } = link;
    if (!(await setPasswordAndEndSessions(trx, organizationId, userId, passwordHash))) {
      // A deactivated user: the link is not used up by a refusal.
      await trx.updateTable('account_emails').set({ used_at: null }).where('id', '=', link.id).execute();
      return { ok: false, reason: 'invalid' };
    }
    await expireLinksOfUser(trx, organizationId, userId);
    return { ok: true, organizationId, userId };
  });
}

/** Follows a sign-up link: creates the organisation and its admin with the chosen password. */
export async function completeSignup(
  db: Kysely<Database>,
  token: string,
  password: string,
): Promise<LinkOutcome> {
  const passwordHash = await hashPassword(password);
  try {
    return await db.transaction().execute(async (trx): Promise<LinkOutcome> => {
      const link = await claimLink(trx, hashAccountToken(token), ['signup']);
      if (!link?.organizationName || !link.name) return { ok: false, reason: 'invalid' };
      const created = await insertOrganizationWithAdmin(trx, {
        organizationName: link.organizationName,
        name: link.name,
        email: link.email,
        passwordHash,
      });
      await expireSignupLinksOf(trx, link.email);
      return { ok: true, ...created };
    });
  } catch (error) {
    // The address got an account meanwhile (another sign-up link, or an admin added it): nothing changes.
    if (isUniqueViolation(error)) return { ok: false, reason: 'taken' };
    throw error;
  }
}
