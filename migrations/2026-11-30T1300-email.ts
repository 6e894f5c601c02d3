import { type Kysely, sql } from 'kysely';

// Email: one row per message to one person (the queue's job carries only its id), opt-outs per
// organisation and address, and each wave's automatic reminder settings. Bodies are not stored: a message
// is rendered when it is sent (or shown in the outbox), so respondent links never sit in the database.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('surveys')
    .addColumn('reminder_after_days', 'integer', (col) =>
      col.defaultTo(7).check(sql`reminder_after_days between 1 and 60`),
    )
    .addColumn('max_reminders', 'integer', (col) =>
      col.notNull().defaultTo(2).check(sql`max_reminders between 0 and 5`),
    )
    .execute();

  await db.schema
    .createTable('email_opt_outs')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('email', 'text', (col) => col.notNull().check(sql`email = lower(email)`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('email_opt_outs_pkey', ['organization_id', 'email'])
    .execute();

  await db.schema
    .createTable('email_messages')
    .addColumn('organization_id', 'uuid', (col) =>
      col.notNull().references('organizations.id').onDelete('cascade'),
    )
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (col) => col.notNull().check(sql`kind in ('invitation', 'reminder')`))
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('invitation_id', 'uuid', (col) => col.notNull())
    .addColumn('automatic', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('status', 'text', (col) =>
      col
        .notNull()
        .defaultTo('queued')
        .check(sql`status in ('queued', 'sending', 'sent', 'failed', 'skipped', 'outbox')`),
    )
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0).check(sql`attempts >= 0`))
    .addColumn('last_error', 'text', (col) => col.check(sql`char_length(last_error) <= 1000`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .addPrimaryKeyConstraint('email_messages_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint(
      'email_messages_invitation_fkey',
      ['organization_id', 'invitation_id'],
      'invitations',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'email_messages_survey_fkey',
      ['organization_id', 'survey_id'],
      'surveys',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint(
      'email_messages_sent_check',
      sql`(status in ('sent', 'outbox')) = (sent_at is not null)`,
    )
    .addCheckConstraint('email_messages_automatic_check', sql`kind = 'reminder' or not automatic`)
    .execute();
  // One invitation email per invitation, however many instances try to queue it.
  await sql`create unique index email_messages_one_invitation on email_messages (organization_id, invitation_id)
            where kind = 'invitation'`.execute(db);
  await sql`create index email_messages_by_invitation on email_messages (organization_id, invitation_id, created_at desc)`.execute(
    db,
  );
  await sql`create index email_messages_by_survey on email_messages (organization_id, survey_id, created_at desc)`.execute(
    db,
  );

  // Waves that were already open when email arrived: their respondents got their links another way. Mark
  // those invitations as handled so that nobody is surprised by an email about a survey under way.
  await sql`insert into email_messages (organization_id, kind, survey_id, invitation_id, status, last_error)
            select i.organization_id, 'invitation', i.survey_id, i.id, 'skipped', 'invited before email sending existed'
            from invitations i join surveys s on s.organization_id = i.organization_id and s.id = i.survey_id
            where s.status <> 'draft'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('email_messages').execute();
  await db.schema.dropTable('email_opt_outs').execute();
  await db.schema
    .alterTable('surveys')
    .dropColumn('max_reminders')
    .dropColumn('reminder_after_days')
    .execute();
}
