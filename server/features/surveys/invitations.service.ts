import type { Kysely, Transaction } from 'kysely';
import type { Database, Db, Language, RespondentRole } from '../../db/database.js';
import { HttpError } from '../../lib/errors.js';
import {
  findAccount,
  findContact,
  findContactByEmail,
  findOrCreateContact,
  lowerInDatabase,
  type NewContact,
} from '../accounts/accounts.queries.js';
import { isUniqueViolation } from '../auth/auth.queries.js';
import { newToken, respondentUrl } from './invitation-links.js';
import { findActiveUser, findUserByEmail, invitedEmailKeys } from './invitations.queries.js';
import { insertInvitation } from './surveys.queries.js';
import type { InvitationInput } from './surveys.schemas.js';

export interface InviteContext {
  organizationId: string;
  surveyId: string;
  surveyLanguage: Language;
  linkKey: Buffer;
  publicUrl: string;
}

/** Why one invitation of a batch was refused; stable codes for the pages to word. */
export type InvitationProblemReason =
  | 'unknownAccount'
  | 'unknownContact'
  | 'contactOfOtherAccount'
  | 'notTheContactsEmail'
  | 'unknownUser'
  | 'notTheUsersEmail'
  | 'alreadyInvited'
  | 'repeated';

export interface InvitationProblem {
  /** The invitation's position in the batch; null when the database refused a row another request added. */
  index: number | null;
  field: 'accountId' | 'contactId' | 'userId' | 'email';
  reason: InvitationProblemReason;
  /** The address concerned, when known. */
  email: string | null;
}

const API_MESSAGES: Record<InvitationProblemReason, string> = {
  unknownAccount: 'Unknown account',
  unknownContact: 'Unknown contact',
  contactOfOtherAccount: 'The contact belongs to another account',
  notTheContactsEmail: 'Not the address of this contact',
  unknownUser: 'Unknown user',
  notTheUsersEmail: 'Not the address of this user',
  alreadyInvited: 'Already invited to this wave',
  repeated: 'The same address is in the list twice',
};

const DUPLICATES: ReadonlySet<InvitationProblemReason> = new Set(['alreadyInvited', 'repeated']);

/**
 * A refused batch: nothing was written. 409 CONFLICT when the only problems are addresses already invited
 * (or twice in the batch, the rule of one live invitation per address and wave), else 400 BAD_REQUEST.
 */
export class InvitationProblems extends HttpError {
  constructor(readonly problems: InvitationProblem[]) {
    const duplicatesOnly = problems.every((problem) => DUPLICATES.has(problem.reason));
    const addresses = [...new Set(problems.flatMap((problem) => (problem.email ? [problem.email] : [])))];
    super(
      duplicatesOnly ? 409 : 400,
      duplicatesOnly ? 'CONFLICT' : 'BAD_REQUEST',
      duplicatesOnly
        ? `Already invited to this wave${addresses.length > 0 ? `: ${addresses.join(', ')}` : ''}`
        : 'Invalid invitations',
      problems.map((problem) => ({
        field: problem.index === null ? problem.field : `invitations.${problem.index}.${problem.field}`,
        message: API_MESSAGES[problem.reason],
      })),
    );
    this.name = 'InvitationProblems';
  }
}

/** An invitation with every fact settled, before anything is written. */
interface Resolved {
  role: RespondentRole;
  email: string;
  name: string | null;
  language: Language;
  accountId: string | null;
  contactId: string | null;
  userId: string | null;
  /** A customer address the account does not have yet: added as a contact when the batch is written. */
  newContact: NewContact | null;
}

type Resolution = Resolved | InvitationProblem;

const problem = (
  index: number,
  field: InvitationProblem['field'],
  reason: InvitationProblemReason,
  email: string | null = null,
): InvitationProblem => ({ index, field, reason, email });

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * A customer: an existing contact (by id, or by an address the account already has) gives the invitation its
 * address, name and language unless the input names them; the wave's language only when nobody knows one.
 */
async function resolveCustomer(
  db: Db,
  context: InviteContext,
  input: InvitationInput,
  index: number,
): Promise<Resolution> {
  const { organizationId } = context;
  let contact: Awaited<ReturnType<typeof findContact>>;
  if (input.contactId) {
    contact = await findContact(db, organizationId, input.contactId);
    if (!contact) return problem(index, 'contactId', 'unknownContact');
    if (input.accountId && input.accountId !== contact.accountId)
      return problem(index, 'contactId', 'contactOfOtherAccount', contact.email);
    if (input.email && !sameAddress(input.email, contact.email))
      return problem(index, 'email', 'notTheContactsEmail', input.email);
  } else {
    const account = input.accountId ? await findAccount(db, organizationId, input.accountId) : undefined;
    if (!account || !input.email) return problem(index, 'accountId', 'unknownAccount', input.email ?? null);
    contact = await findContactByEmail(db, organizationId, account.id, input.email);
    if (!contact) {
      return {
        role: 'customer',
        email: input.email,
        name: input.name ?? null,
        language: input.language ?? context.surveyLanguage,
        accountId: account.id,
        contactId: null,
        userId: null,
        // Only what the manager said: a language nobody gave stays unknown for the next wave.
        newContact: { email: input.email, name: input.name ?? null, language: input.language ?? null },
      };
    }
  }
  return {
    role: 'customer',
    email: contact.email,
    name: input.name ?? contact.name,
    language: input.language ?? contact.language ?? context.surveyLanguage,
    accountId: contact.accountId,
    contactId: contact.id,
    userId: null,
    newContact: null,
  };
}

/** A seller: a user of the organisation (by id, or by a typed address that is a user's) lends their name. */
async function resolveSeller(
  db: Db,
  context: InviteContext,
  input: InvitationInput,
  index: number,
): Promise<Resolution> {
  const { organizationId } = context;
  const language = input.language ?? context.surveyLanguage;
  if (input.userId) {
    const user = await findActiveUser(db, organizationId, input.userId);
    if (!user) return problem(index, 'userId', 'unknownUser');
    if (input.email && !sameAddress(input.email, user.email))
      return problem(index, 'email', 'notTheUsersEmail', input.email);
    return {
      role: 'seller',
      email: user.email,
      name: input.name ?? user.name,
      language,
      accountId: null,
      contactId: null,
      userId: user.id,
      newContact: null,
    };
  }
  // The schema requires an email when no id is given.
  const email = input.email ?? '';
  const user = await findUserByEmail(db, organizationId, email);
  return {
    role: 'seller',
    email,
    name: input.name ?? user?.name ?? null,
    language,
    accountId: null,
    contactId: null,
    userId: user?.id ?? null,
    newContact: null,
  };
}

/** One live invitation per address and wave: addresses twice in the batch, or already invited. */
async function duplicates(db: Db, context: InviteContext, resolved: readonly Resolved[]) {
  const keys = await lowerInDatabase(
    db,
    resolved.map((invitation) => invitation.email),
  );
  const keyOf = (email: string) => keys.get(email) ?? email.toLowerCase();
  const invited = await invitedEmailKeys(db, context.organizationId, context.surveyId, [
    ...new Set(resolved.map((invitation) => keyOf(invitation.email))),
  ]);
  const seen = new Set<string>();
  const problems: InvitationProblem[] = [];
  resolved.forEach((invitation, index) => {
    const key = keyOf(invitation.email);
    if (invited.has(key)) problems.push(problem(index, 'email', 'alreadyInvited', invitation.email));
    else if (seen.has(key)) problems.push(problem(index, 'email', 'repeated', invitation.email));
    seen.add(key);
  });
  return problems;
}

/**
 * Creates the invitations in order, all or none, in one transaction: every input is checked first (its
 * account, contact or user within the organisation, and no address invited twice), and any problem refuses
 * the whole batch with InvitationProblems before anything is written. A customer's new address is added to
 * the account as a contact; a seller who is a user of the organisation is linked to that user.
 */
export async function createInvitations(
  db: Kysely<Database>,
  context: InviteContext,
  inputs: readonly InvitationInput[],
) {
  try {
    return await db.transaction().execute((trx) => writeInvitations(trx, context, inputs));
  } catch (error) {
    // Another request invited one of these addresses between the check and the insert.
    if (isUniqueViolation(error))
      throw new InvitationProblems([{ index: null, field: 'email', reason: 'alreadyInvited', email: null }]);
    throw error;
  }
}

/**
 * createInvitations' work inside a transaction the caller holds (copying a wave writes the wave and its
 * invitations in one): the same checks, the same refusal, the same fresh links.
 */
export async function writeInvitations(
  trx: Transaction<Database>,
  context: InviteContext,
  inputs: readonly InvitationInput[],
) {
  const { organizationId, surveyId } = context;
  const resolutions: Resolution[] = [];
  for (const [index, input] of inputs.entries()) {
    resolutions.push(
      input.role === 'customer'
        ? await resolveCustomer(trx, context, input, index)
        : await resolveSeller(trx, context, input, index),
    );
  }
  const problems = resolutions.filter(
    (resolution): resolution is InvitationProblem => 'reason' in resolution,
  );
  if (problems.length > 0) throw new InvitationProblems(problems);
  const resolved = resolutions.filter((resolution): resolution is Resolved => !('reason' in resolution));
  const repeated = await duplicates(trx, context, resolved);
  if (repeated.length > 0) throw new InvitationProblems(repeated);

  const created = [];
  for (const invitation of resolved) {
    const contactId =
      invitation.newContact && invitation.accountId
        ? await findOrCreateContact(trx, organizationId, invitation.accountId, invitation.newContact)
        : invitation.contactId;
    const token = newToken(context.linkKey);
    const id = await insertInvitation(trx, organizationId, surveyId, {
      role: invitation.role,
      email: invitation.email,
      name: invitation.name,
      language: invitation.language,
      accountId: invitation.accountId,
      contactId,
      userId: invitation.userId,
      tokenSalt: token.salt,
      tokenHash: token.hash,
    });
    created.push({
      id,
      role: invitation.role,
      email: invitation.email,
      name: invitation.name,
      language: invitation.language,
      accountId: invitation.accountId,
      contactId,
      userId: invitation.userId,
      url: respondentUrl(context.publicUrl, token.token),
    });
  }
  return created;
}
