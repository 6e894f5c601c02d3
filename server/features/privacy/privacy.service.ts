import { type Kysely, sql } from 'kysely';
import type { Database, Db } from '../../db/database.js';
import { insertAuditEntry } from './audit.queries.js';
import {
  accountEmailsOf,
  answersOf,
  contactsOf,
  emailMessagesOf,
  invitationsOf,
  optOutsOf,
  responsesOf,
  revisionsOf,
  sameAddress,
  userOf,
} from './privacy.queries.js';
import { addressHash } from './privacy-hash.js';

/** Who asks, from the principal: the organisation is never taken from the request. */
export interface Requester {
  organizationId: string;
  userId: string;
}

/** Everything stored about `email` in the organisation, as the export answers it. */
export async function collectPersonalData(db: Db, organizationId: string, email: string, key: Buffer) {
  const address = email.toLowerCase();
  const [contacts, invitations, accountEmails, optOuts, user] = await Promise.all([
    contactsOf(db, organizationId, address),
    invitationsOf(db, organizationId, address),
    accountEmailsOf(db, organizationId, address),
    optOutsOf(db, organizationId, address, addressHash(key, address)),
    userOf(db, organizationId, address),
  ]);
  const invitationIds = invitations.map((invitation) => invitation.id);
  const [responses, emailMessages] = await Promise.all([
    responsesOf(db, organizationId, invitationIds),
    emailMessagesOf(db, organizationId, invitationIds),
  ]);
  const responseIds = responses.map((response) => response.id);
  const [answers, revisions] = await Promise.all([
    answersOf(db, organizationId, responseIds),
    revisionsOf(db, organizationId, responseIds),
  ]);
  return {
    email: address,
    contacts,
    invitations,
    responses: responses.map((response) => ({
      ...response,
      answers: answers
        .filter((answer) => answer.responseId === response.id)
        .map(({ responseId: _, ...answer }) => answer),
      revisions: revisions
        .filter((revision) => revision.responseId === response.id)
        .map(({ responseId: _, ...revision }) => revision),
    })),
    emailMessages,
    accountEmails,
    optOuts,
    userAccount: user ?? null,
  };
}

export type PersonalData = Awaited<ReturnType<typeof collectPersonalData>>;

/** The export's size, for the audit log and the page's summary: counts, never content. */
export function exportCounts(data: PersonalData) {
  return {
    contacts: data.contacts.length,
    invitations: data.invitations.length,
    responses: data.responses.length,
    responseRevisions: data.responses.reduce((sum, response) => sum + response.revisions.length, 0),
    emailMessages: data.emailMessages.length,
    accountEmails: data.accountEmails.length,
    optOuts: data.optOuts.length,
    userAccount: data.userAccount ? 1 : 0,
  };
}

/** The export of a privacy request, recorded in the audit log (by a keyed hash of the address). */
export async function exportPersonalData(
  db: Kysely<Database>,
  requester: Requester,
  email: string,
  key: Buffer,
  action: 'privacy_export' | 'privacy_lookup' = 'privacy_export',
) {
  const data = await collectPersonalData(db, requester.organizationId, email, key);
  await insertAuditEntry(db, {
    organizationId: requester.organizationId,
    userId: requester.userId,
    action,
    subjectHash: addressHash(key, email),
    detail: exportCounts(data),
  });
  return data;
}

export interface ErasureCounts {
  contacts: number;
  invitations: number;
  responses: number;
  responseRevisions: number;
  emailMessages: number;
  accountEmails: number;
  optOuts: number;
}

export type ErasureResult = { erased: number } & ErasureCounts & {
    /** Users are deactivated on the users page, never erased here. */
    userAccount: 'not_erased' | 'none';
  };

/** Matches the address anywhere in a text, whatever its case: the address as a regular expression. */
function addressPattern(address: string): string {
  return address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A fresh random 32-byte value: a link salt or hash that no token derives to. */
const randomBytes32 = sql<Buffer>`sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8'))`;

/**
 * Erases an address from the organisation, in one transaction: its contacts are deleted; its invitations
 * keep wave, role, language, account and times (so invited and responded counts stay exact) and lose the
 * address (a placeholder `erased-<id>@invalid`, which is nobody's), the name, the contact, the user and
 * the link (new random salt and hash); their responses stay, with every answer, so every total and report
 * number stays the same, as anonymous answers (the saved versions, which are the person's history, are
 * deleted; the address is removed from the comment's text); the email log of those invitations and the
 * account emails to the address are deleted; an opt-out is kept as a keyed hash, so it is still honoured.
 * A user with the address is not touched. The request is recorded in the audit log by the address's keyed
 * hash and the counts — also when nothing matched, so that handling the request can be shown.
 */
export async function erasePersonalData(
  db: Kysely<Database>,
  requester: Requester,
  email: string,
  key: Buffer,
): Promise<ErasureResult> {
  const address = email.toLowerCase();
  const hash = addressHash(key, address);
  const organizationId = requester.organizationId;
  return db.transaction().execute(async (trx) => {
    const invitations = await trx
      .selectFrom('invitations')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where(sameAddress('email', address))
      .orderBy('id')
      .forUpdate()
      .execute();
    const invitationIds = invitations.map((invitation) => invitation.id);
    const counts = await eraseInvitations(trx, organizationId, invitationIds, addressPattern(address));

    const contacts = await trx
      .selectFrom('contacts')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where(sameAddress('email', address))
      .execute();
    const contactIds = contacts.map((contact) => contact.id);
    if (contactIds.length > 0) {
      // An invitation sent to the contact's earlier address still points at it: it keeps its own address.
      await trx
        .updateTable('invitations')
        .set({ contact_id: null })
        .where('organization_id', '=', organizationId)
        .where('contact_id', 'in', contactIds)
        .execute();
      await trx
        .deleteFrom('contacts')
        .where('organization_id', '=', organizationId)
        .where('id', 'in', contactIds)
        .execute();
    }
    const accountEmails = await trx
      .deleteFrom('account_emails')
      .where('organization_id', '=', organizationId)
      .where('email', '=', address)
      .executeTakeFirst();
    const optOuts = await trx
      .updateTable('email_opt_outs')
      .set({ email: null, email_hash: hash })
      .where('organization_id', '=', organizationId)
      .where('email', '=', address)
      .executeTakeFirst();
    const user = await userOf(trx, organizationId, address);

    const all: ErasureCounts = {
      contacts: contactIds.length,
      ...counts,
      accountEmails: Number(accountEmails.numDeletedRows),
      optOuts: Number(optOuts.numUpdatedRows),
    };
    const erased = Object.values(all).reduce((sum, n) => sum + n, 0);
    await insertAuditEntry(trx, {
      organizationId,
      userId: requester.userId,
      action: 'privacy_erase',
      subjectHash: hash,
      detail: { erased, ...all },
    });
    return { erased, ...all, userAccount: user ? 'not_erased' : 'none' };
  });
}

/**
 * Cuts invitations from their person (erasure, and retention for a whole wave): the invitation keeps what
 * the counts need, its responses keep every answer. `scrub`, a pattern, is removed from comments.
 */
export async function eraseInvitations(
  trx: Db,
  organizationId: string,
  invitationIds: readonly string[],
  scrub?: string,
): Promise<Pick<ErasureCounts, 'invitations' | 'responses' | 'responseRevisions' | 'emailMessages'>> {
  if (invitationIds.length === 0)
    return { invitations: 0, responses: 0, responseRevisions: 0, emailMessages: 0 };
  const responses = await trx
    .updateTable('responses')
    .set({
      erased_at: sql`coalesce(erased_at, now())`,
      ...(scrub ? { comment: sql`regexp_replace(comment, ${scrub}, '[…]', 'gi')` } : {}),
    })
    .where('organization_id', '=', organizationId)
    .where('invitation_id', 'in', invitationIds)
    .returning('id')
    .execute();
  const responseIds = responses.map((response) => response.id);
  const revisions =
    responseIds.length === 0
      ? { numDeletedRows: 0n }
      : await trx
          .deleteFrom('response_revisions')
          .where('organization_id', '=', organizationId)
          .where('response_id', 'in', responseIds)
          .executeTakeFirst();
  const messages = await trx
    .deleteFrom('email_messages')
    .where('organization_id', '=', organizationId)
    .where('invitation_id', 'in', invitationIds)
    .executeTakeFirst();
  await trx
    .updateTable('invitations')
    .set({
      email: sql`'erased-' || id || '@invalid'`,
      name: null,
      contact_id: null,
      user_id: null,
      token_salt: randomBytes32,
      token_hash: randomBytes32,
      erased_at: sql`coalesce(erased_at, now())`,
    })
    .where('organization_id', '=', organizationId)
    .where('id', 'in', invitationIds)
    .execute();
  return {
    invitations: invitationIds.length,
    responses: responseIds.length,
    responseRevisions: Number(revisions.numDeletedRows),
    emailMessages: Number(messages.numDeletedRows),
  };
}
