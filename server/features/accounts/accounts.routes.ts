import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { optedOutAmong } from '../email/email.queries.js';
import '../email/email.messages.js';
import { isRoleAddress } from '../../lib/email.js';
import { badRequest, conflict, notFound } from '../../lib/errors.js';
import { translate } from '../../lib/i18n.js';
import { fieldErrors, fieldList } from '../../lib/validation.js';
import { API_ROUTE, principalOf } from '../../plugins/auth.js';
import { isUniqueViolation } from '../auth/auth.queries.js';
import { type CheckedImport, checkImport, commitImport, isImportable } from './account-import.service.js';
import './accounts.messages.js';
import {
  deleteContact,
  findAccount,
  insertAccount,
  insertContact,
  isKamCandidate,
  listAccounts,
  listContacts,
  listKamCandidates,
  updateAccount,
} from './accounts.queries.js';
import {
  accountApiBody,
  accountForm,
  accountParams,
  accountQuery,
  accountsQuery,
  CONTACT_LANGUAGES,
  contactForm,
  contactParams,
  importBody,
  SEGMENTS,
} from './accounts.schemas.js';

type Form = Record<string, unknown>;
type Errors = Record<string, string>;

const formOf = (request: FastifyRequest): Form => (request.body ?? {}) as Form;

export default async function accountsRoutes(app: FastifyInstance) {
  const managers = { preHandler: app.requireRole('admin', 'manager') };

  /** The account of the caller's organisation named by :id; 404 for a malformed or foreign id. */
  async function accountOf(request: FastifyRequest) {
    const parsed = accountParams.safeParse(request.params);
    if (!parsed.success) throw notFound();
    const account = await findAccount(app.db, principalOf(request).organizationId, parsed.data.id);
    if (!account) throw notFound();
    return account;
  }

  async function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Form; errors: Errors },
    statusCode = 200,
  ) {
    const organizationId = principalOf(request).organizationId;
    const [accounts, kams] = await Promise.all([
      listAccounts(app.db, organizationId),
      listKamCandidates(app.db, organizationId),
    ]);
    const { imported } = accountsQuery.parse(request.query ?? {});
    return reply.render(
      'accounts/list',
      {
        title: translate(request.lang, 'accounts.title'),
        accounts,
        kams,
        segments: SEGMENTS,
        imported,
        ...form,
        hasErrors: Object.keys(form.errors).length > 0,
      },
      statusCode,
    );
  }

  async function renderAccount(
    request: FastifyRequest,
    reply: FastifyReply,
    account: { id: string; name: string; segment: string | null; kamUserId: string | null },
    forms: {
      account?: { values: Form; errors: Errors };
      contact?: { values: Form; errors: Errors };
      alert?: string;
    },
    statusCode = 200,
  ) {
    const organizationId = principalOf(request).organizationId;
    const [contacts, kams] = await Promise.all([
      listContacts(app.db, organizationId, account.id),
      listKamCandidates(app.db, organizationId),
    ]);
    const optedOut = await optedOutAmong(
      app.db,
      organizationId,
      contacts.map((contact) => contact.email),
    );
    const values = forms.account?.values ?? account;
    const segment = typeof values.segment === 'string' ? values.segment : '';
    // An imported segment outside A/B/C (gold, platinum …) stays selectable.
    const segments =
      segment === '' || SEGMENTS.some((s) => s === segment) ? SEGMENTS : [...SEGMENTS, segment];
    const query = accountQuery.parse(request.query ?? {});
    const errors = forms.account?.errors ?? {};
    const contactErrors = forms.contact?.errors ?? {};
    return reply.render(
      'accounts/show',
      {
        title: account.name,
        account,
        contacts: contacts.map((contact) => ({
          ...contact,
          roleAddress: isRoleAddress(contact.email),
          optedOut: optedOut.has(contact.email.toLowerCase()),
        })),
        kams,
        segments,
        languages: CONTACT_LANGUAGES,
        values,
        errors,
        hasErrors: Object.keys(errors).length > 0,
        contactValues: forms.contact?.values ?? { language: 'nb' },
        contactErrors,
        hasContactErrors: Object.keys(contactErrors).length > 0,
        // The summary links to the contact form's own field ids.
        contactSummary: Object.fromEntries(
          Object.entries(contactErrors).map(([field, message]) => [`contact-${field}`, message]),
        ),
        alert: forms.alert,
        saved: statusCode === 200 && query.saved !== undefined,
        roleAddressAdded: statusCode === 200 && query.warning === 'roleAddress',
      },
      statusCode,
    );
  }

  /** Parses an account form; a KAM outside the organisation is a field error like any other. */
  async function parseAccountForm(request: FastifyRequest) {
    const parsed = accountForm.safeParse(formOf(request));
    if (!parsed.success) return { errors: fieldErrors(parsed.error) };
    const { kamUserId } = parsed.data;
    if (
      kamUserId !== null &&
      !(await isKamCandidate(app.db, principalOf(request).organizationId, kamUserId))
    ) {
      return { errors: { kamUserId: translate(request.lang, 'accounts.kamInvalid') } };
    }
    return { data: parsed.data };
  }

  const accountValues = (form: Form) => ({
    name: form.name,
    segment: form.segment,
    kamUserId: form.kamUserId,
  });

  app.get('/accounts', managers, async (request, reply) =>
    renderList(request, reply, { values: {}, errors: {} }),
  );

  app.post('/accounts', managers, async (request, reply) => {
    const values = accountValues(formOf(request));
    const form = await parseAccountForm(request);
    if (!form.data) return renderList(request, reply, { values, errors: form.errors }, 400);
    try {
      const id = await insertAccount(app.db, principalOf(request).organizationId, form.data);
      return reply.redirect(`/accounts/${id}`, 303);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const errors = { name: translate(request.lang, 'accounts.nameTaken') };
      return renderList(request, reply, { values, errors }, 400);
    }
  });

  app.get('/accounts/import', managers, async (request, reply) =>
    reply.render('accounts/import', {
      title: translate(request.lang, 'import.title'),
      values: {},
      errors: {},
    }),
  );

  function renderPreview(
    request: FastifyRequest,
    reply: FastifyReply,
    csv: string,
    checked: CheckedImport,
    statusCode: number,
    refused = false,
  ) {
    return reply.render(
      'accounts/import-preview',
      {
        title: translate(request.lang, 'import.previewTitle'),
        csv,
        ...checked,
        importable: isImportable(checked),
        refused,
      },
      statusCode,
    );
  }

  /** The pasted CSV, or a re-rendered upload form when there is none. */
  function csvOf(request: FastifyRequest): string | null {
    const parsed = importBody.safeParse(formOf(request));
    if (!parsed.success || parsed.data.csv.trim() === '') return null;
    return parsed.data.csv;
  }

  const renderEmptyImport = (request: FastifyRequest, reply: FastifyReply) =>
    reply.render(
      'accounts/import',
      {
        title: translate(request.lang, 'import.title'),
        values: {},
        errors: { csv: translate(request.lang, 'import.empty') },
      },
      400,
    );

  app.post('/accounts/import', managers, async (request, reply) => {
    const csv = csvOf(request);
    if (csv === null) return renderEmptyImport(request, reply);
    const checked = await checkImport(app.db, principalOf(request).organizationId, csv, request.lang);
    return renderPreview(request, reply, csv, checked, 200);
  });

  app.post('/accounts/import/commit', managers, async (request, reply) => {
    const csv = csvOf(request);
    if (csv === null) return renderEmptyImport(request, reply);
    const organizationId = principalOf(request).organizationId;
    try {
      const result = await commitImport(app.db, organizationId, csv, request.lang);
      if ('refused' in result) return renderPreview(request, reply, csv, result.refused, 400, true);
      return reply.redirect(`/accounts?imported=${result.imported}`, 303);
    } catch (error) {
      // Someone added the same account or contact while this import ran: show the fresh preview.
      if (!isUniqueViolation(error)) throw error;
      const checked = await checkImport(app.db, organizationId, csv, request.lang);
      return renderPreview(request, reply, csv, checked, 400, true);
    }
  });

  app.get('/accounts/:id', managers, async (request, reply) => {
    const account = await accountOf(request);
    return renderAccount(request, reply, account, {});
  });

  app.post('/accounts/:id', managers, async (request, reply) => {
    const account = await accountOf(request);
    const values = accountValues(formOf(request));
    const form = await parseAccountForm(request);
    if (!form.data)
      return renderAccount(request, reply, account, { account: { values, errors: form.errors } }, 400);
    try {
      await updateAccount(app.db, principalOf(request).organizationId, account.id, form.data);
      return reply.redirect(`/accounts/${account.id}?saved=1`, 303);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const errors = { name: translate(request.lang, 'accounts.nameTaken') };
      return renderAccount(request, reply, account, { account: { values, errors } }, 400);
    }
  });

  app.post('/accounts/:id/contacts', managers, async (request, reply) => {
    const account = await accountOf(request);
    const raw = formOf(request);
    const values = { name: raw.name, email: raw.email, language: raw.language };
    const parsed = contactForm.safeParse(raw);
    let errors: Errors;
    if (!parsed.success) {
      errors = fieldErrors(parsed.error);
    } else {
      try {
        await insertContact(app.db, principalOf(request).organizationId, account.id, parsed.data);
        const warning = isRoleAddress(parsed.data.email) ? '?warning=roleAddress' : '';
        return reply.redirect(`/accounts/${account.id}${warning}`, 303);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        errors = { email: translate(request.lang, 'contacts.emailTaken') };
      }
    }
    return renderAccount(request, reply, account, { contact: { values, errors } }, 400);
  });

  app.post('/accounts/:id/contacts/:contactId/delete', managers, async (request, reply) => {
    const parsed = contactParams.safeParse(request.params);
    if (!parsed.success) throw notFound();
    const account = await accountOf(request);
    const result = await deleteContact(
      app.db,
      principalOf(request).organizationId,
      account.id,
      parsed.data.contactId,
    );
    if (result === 'notFound') throw notFound();
    if (result === 'inUse') {
      return renderAccount(
        request,
        reply,
        account,
        { alert: translate(request.lang, 'contacts.inUse') },
        409,
      );
    }
    return reply.redirect(`/accounts/${account.id}`, 303);
  });

  app.get('/api/v1/accounts', { ...managers, config: API_ROUTE }, async (request) => {
    const accounts = await listAccounts(app.db, principalOf(request).organizationId);
    return {
      accounts: accounts.map(({ id, name, segment, kamUserId }) => ({ id, name, segment, kamUserId })),
    };
  });

  app.post('/api/v1/accounts', { ...managers, config: API_ROUTE }, async (request, reply) => {
    const organizationId = principalOf(request).organizationId;
    const parsed = accountApiBody.safeParse(request.body ?? {});
    if (!parsed.success) throw badRequest('Invalid account', fieldList(parsed.error));
    const { name, segment, kamUserId } = parsed.data;
    if (kamUserId !== null && !(await isKamCandidate(app.db, organizationId, kamUserId))) {
      throw badRequest('Invalid account', [
        { field: 'kamUserId', message: 'Not an active user of this organisation' },
      ]);
    }
    try {
      const id = await insertAccount(app.db, organizationId, parsed.data);
      return reply.code(201).send({ id, name, segment, kamUserId });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict('An account with this name already exists');
      throw error;
    }
  });
}
