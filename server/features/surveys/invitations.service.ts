import type { Kysely } from 'kysely';
import type { Database, Language } from '../../db/database.js';
import { badRequest, conflict } from '../../lib/errors.js';
import { findAccount, findOrCreateContact } from '../accounts/accounts.queries.js';
import { isUniqueViolation } from '../auth/auth.queries.js';
import { newToken, respondentUrl } from './invitation-links.js';
import { insertInvitation } from './surveys.queries.js';
import type { InvitationInput } from './surveys.schemas.js';

export interface InviteContext {
  organizationId: string;
  surveyId: string;
  surveyLanguage: Language;
  linkKey: Buffer;
  publicUrl: string;
}

/**
 * Creates the invitations in order, all or none. A customer's contact is added to the account when new;
 * a seller who is a user of the organisation is linked to that user.
 */
export async function createInvitations(
  db: Kysely<Database>,
  context: InviteContext,
  inputs: readonly InvitationInput[],
) {
  const { organizationId, surveyId } = context;
  try {
    return await db.transaction().execute(async (trx) => {
      const created = [];
      for (const [index, input] of inputs.entries()) {
        const language = input.language ?? context.surveyLanguage;
        let contactId: string | null = null;
        let userId: string | null = null;
        if (input.role === 'customer') {
          const account = input.accountId
            ? await findAccount(trx, organizationId, input.accountId)
            : undefined;
          if (!account || !input.accountId) {
            throw badRequest('Unknown account', [
              { field: `invitations.${index}.accountId`, message: 'Unknown account' },
            ]);
          }
          contactId = await findOrCreateContact(trx, organizationId, input.accountId, {
            email: input.email,
            name: input.name ?? null,
            language,
          });
        } else {
          const user = await trx
            .selectFrom('users')
            .select('id')
            .where('organization_id', '=', organizationId)
            .where('email', '=', input.email.toLowerCase())
            .executeTakeFirst();
          userId = user?.id ?? null;
        }
        const token = newToken(context.linkKey);
        const id = await insertInvitation(trx, organizationId, surveyId, {
          role: input.role,
          email: input.email,
          name: input.name ?? null,
          language,
          accountId: input.role === 'customer' ? (input.accountId ?? null) : null,
          contactId,
          userId,
          tokenSalt: token.salt,
          tokenHash: token.hash,
        });
        created.push({
          id,
          role: input.role,
          email: input.email,
          url: respondentUrl(context.publicUrl, token.token),
        });
      }
      return created;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict('One of these addresses is already invited to this wave');
    throw error;
  }
}
