import { type Kysely, sql } from 'kysely';

// Criteria library, accounts and contacts, survey waves with frozen criteria, invitations, responses,
// answers and their audit trail. Tenant keys as in the foundation: organization_id leads every key.
export async function up(db: Kysely<any>): Promise<void> {
  const audience = sql`audience in ('both', 'seller')`;
  const language = sql`language in ('nb', 'en')`;

  await db.schema
    .createTable('criteria')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('key', 'text', (col) => col.check(sql`key ~ '^[a-z][a-z0-9_]{0,59}$'`))
    .addColumn('label_nb', 'text', (col) => col.notNull().check(sql`char_length(label_nb) between 1 and 200`))
    .addColumn('label_en', 'text', (col) => col.notNull().check(sql`char_length(label_en) between 1 and 200`))
    .addColumn('audience', 'text', (col) => col.notNull().check(audience))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('criteria_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('criteria_key_key', ['organization_id', 'key'])
    .execute();

  // Organisations created before this migration get the default template (DOMAIN.md), as new ones do.
  await sql`
    insert into criteria (organization_id, key, label_nb, label_en, audience, position)
    select o.id, t.key, t.label_nb, t.label_en, t.audience, t.position
    from organizations o
    cross join (values
      ('availability', 'Tilgjengelighet', 'Availability', 'both', 0),
      ('advice', 'Rådgivning', 'Advice', 'both', 1),
      ('solution_oriented', 'Løsningsorientert', 'Solution-oriented', 'both', 2),
      ('customer_oriented', 'Kundeorientert', 'Customer-oriented', 'both', 3),
      ('trust', 'Tillit', 'Trust', 'both', 4),
      ('knowledge', 'Kunnskap', 'Knowledge', 'both', 5),
      ('efficiency', 'Effektivitet', 'Efficiency', 'both', 6),
      ('communication', 'Kommunikasjon', 'Communication', 'both', 7),
      ('accuracy', 'Nøyaktighet', 'Accuracy', 'both', 8),
      ('business_understanding', 'Forretningsforståelse', 'Business understanding', 'both', 9),
      ('cooperation', 'Samarbeid', 'Cooperation', 'both', 10),
      ('follow_up', 'Oppfølging', 'Follow-up', 'both', 11),
      ('crm_system', 'CRM-system', 'CRM system', 'seller', 12)
    ) as t(key, label_nb, label_en, audience, position)
  `.execute(db);

  await db.schema
    .createTable('accounts')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (col) => col.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('segment', 'text', (col) => col.check(sql`char_length(segment) between 1 and 40`))
    .addColumn('kam_user_id', 'uuid')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('accounts_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint('accounts_kam_fkey', ['organization_id', 'kam_user_id'], 'users', [
      'organization_id',
      'id',
    ])
    .execute();
  await sql`create unique index accounts_name_key on accounts (organization_id, lower(name))`.execute(db);

  await db.schema
    .createTable('contacts')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('account_id', 'uuid', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.check(sql`char_length(name) between 1 and 200`))
    .addColumn('email', 'text', (col) => col.notNull().check(sql`char_length(email) between 3 and 254`))
    .addColumn('language', 'text', (col) => col.notNull().defaultTo('nb').check(language))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('contacts_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint(
      'contacts_account_fkey',
      ['organization_id', 'account_id'],
      'accounts',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  await sql`create unique index contacts_email_key on contacts (organization_id, account_id, lower(email))`.execute(
    db,
  );

  await db.schema
    .createTable('surveys')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (col) => col.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('language', 'text', (col) => col.notNull().defaultTo('nb').check(language))
    .addColumn('status', 'text', (col) =>
      col.notNull().defaultTo('draft').check(sql`status in ('draft', 'open', 'closed')`),
    )
    .addColumn('crosshair', 'text', (col) =>
      col.notNull().defaultTo('grand_mean').check(sql`crosshair in ('grand_mean', 'midpoint')`),
    )
    .addColumn('closes_at', 'timestamptz')
    .addColumn('opened_at', 'timestamptz')
    .addColumn('closed_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('surveys_pkey', ['organization_id', 'id'])
    .addCheckConstraint('surveys_opened_check', sql`status = 'draft' or opened_at is not null`)
    .execute();

  // The criteria a wave was created with, frozen: later library edits never change a wave.
  await db.schema
    .createTable('survey_criteria')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('criterion_id', 'uuid')
    .addColumn('key', 'text')
    .addColumn('label_nb', 'text', (col) => col.notNull().check(sql`char_length(label_nb) between 1 and 200`))
    .addColumn('label_en', 'text', (col) => col.notNull().check(sql`char_length(label_en) between 1 and 200`))
    .addColumn('audience', 'text', (col) => col.notNull().check(audience))
    .addColumn('position', 'integer', (col) => col.notNull())
    .addPrimaryKeyConstraint('survey_criteria_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('survey_criteria_answer_key', ['organization_id', 'survey_id', 'id', 'audience'])
    .addUniqueConstraint('survey_criteria_position_key', ['organization_id', 'survey_id', 'position'])
    .addForeignKeyConstraint(
      'survey_criteria_survey_fkey',
      ['organization_id', 'survey_id'],
      'surveys',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'survey_criteria_criterion_fkey',
      ['organization_id', 'criterion_id'],
      'criteria',
      ['organization_id', 'id'],
    )
    .execute();

  await db.schema
    .createTable('invitations')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull().check(sql`role in ('customer', 'seller')`))
    .addColumn('email', 'text', (col) => col.notNull().check(sql`char_length(email) between 3 and 254`))
    .addColumn('name', 'text', (col) => col.check(sql`char_length(name) between 1 and 200`))
    .addColumn('language', 'text', (col) => col.notNull().check(language))
    .addColumn('account_id', 'uuid')
    .addColumn('contact_id', 'uuid')
    .addColumn('user_id', 'uuid')
    // The link is HMAC(server key, token_salt); only its SHA-256 is stored for the lookup.
    .addColumn('token_salt', 'bytea', (col) => col.notNull())
    .addColumn('token_hash', 'bytea', (col) => col.notNull())
    .addColumn('opened_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('invitations_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('invitations_response_key', ['organization_id', 'survey_id', 'id', 'role'])
    .addUniqueConstraint('invitations_token_key', ['organization_id', 'token_hash'])
    .addCheckConstraint(
      'invitations_customer_account_check',
      sql`(role = 'customer') = (account_id is not null)`,
    )
    .addCheckConstraint('invitations_seller_contact_check', sql`role = 'customer' or contact_id is null`)
    .addForeignKeyConstraint(
      'invitations_survey_fkey',
      ['organization_id', 'survey_id'],
      'surveys',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint('invitations_account_fkey', ['organization_id', 'account_id'], 'accounts', [
      'organization_id',
      'id',
    ])
    .addForeignKeyConstraint('invitations_contact_fkey', ['organization_id', 'contact_id'], 'contacts', [
      'organization_id',
      'id',
    ])
    .addForeignKeyConstraint('invitations_user_fkey', ['organization_id', 'user_id'], 'users', [
      'organization_id',
      'id',
    ])
    .execute();
  await db.schema
    .createIndex('invitations_token_lookup_idx')
    .on('invitations')
    .column('token_hash')
    .execute();
  await sql`create unique index invitations_email_key on invitations (organization_id, survey_id, lower(email)) where revoked_at is null`.execute(
    db,
  );

  await db.schema
    .createTable('responses')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('invitation_id', 'uuid', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull().check(sql`status in ('in_progress', 'submitted')`))
    .addColumn('comment', 'text', (col) => col.check(sql`char_length(comment) <= 5000`))
    .addColumn('version', 'integer', (col) => col.notNull().defaultTo(1))
    .addColumn('submitted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('responses_pkey', ['organization_id', 'id'])
    .addUniqueConstraint('responses_invitation_key', ['organization_id', 'invitation_id'])
    .addUniqueConstraint('responses_answer_key', ['organization_id', 'survey_id', 'id', 'role'])
    .addCheckConstraint('responses_submitted_check', sql`(status = 'submitted') = (submitted_at is not null)`)
    .addForeignKeyConstraint(
      'responses_invitation_fkey',
      ['organization_id', 'survey_id', 'invitation_id', 'role'],
      'invitations',
      ['organization_id', 'survey_id', 'id', 'role'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();

  // One row per answered rating. A row with a null score is an explicit "don't know"; no row = unanswered.
  await db.schema
    .createTable('answers')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('response_id', 'uuid', (col) => col.notNull())
    .addColumn('role', 'text', (col) => col.notNull())
    .addColumn('survey_criterion_id', 'uuid', (col) => col.notNull())
    .addColumn('audience', 'text', (col) => col.notNull())
    .addColumn('dimension', 'text', (col) =>
      col.notNull().check(sql`dimension in ('importance', 'performance')`),
    )
    .addColumn('score', 'smallint', (col) => col.check(sql`score between 1 and 10`))
    .addPrimaryKeyConstraint('answers_pkey', [
      'organization_id',
      'response_id',
      'survey_criterion_id',
      'dimension',
    ])
    .addCheckConstraint(
      'answers_seller_importance_only_check',
      sql`dimension = 'importance' or role = 'customer'`,
    )
    .addCheckConstraint('answers_audience_check', sql`audience = 'both' or role = 'seller'`)
    .addForeignKeyConstraint(
      'answers_response_fkey',
      ['organization_id', 'survey_id', 'response_id', 'role'],
      'responses',
      ['organization_id', 'survey_id', 'id', 'role'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'answers_criterion_fkey',
      ['organization_id', 'survey_id', 'survey_criterion_id', 'audience'],
      'survey_criteria',
      ['organization_id', 'survey_id', 'id', 'audience'],
    )
    .execute();
  await db.schema
    .createIndex('answers_report_idx')
    .on('answers')
    .columns(['organization_id', 'survey_id', 'survey_criterion_id'])
    .execute();

  // Audit trail: every saved version of a response, as it was.
  await db.schema
    .createTable('response_revisions')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('response_id', 'uuid', (col) => col.notNull())
    .addColumn('version', 'integer', (col) => col.notNull())
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('comment', 'text')
    .addColumn('answers', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('response_revisions_pkey', ['organization_id', 'response_id', 'version'])
    .addForeignKeyConstraint(
      'response_revisions_response_fkey',
      ['organization_id', 'response_id'],
      'responses',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'response_revisions',
    'answers',
    'responses',
    'invitations',
    'survey_criteria',
    'surveys',
    'contacts',
    'accounts',
    'criteria',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
