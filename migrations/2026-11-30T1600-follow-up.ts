import { type Kysely, sql } from 'kysely';

// The follow-up loop (issue 11): waves form a series through previous_survey_id (a copy of a wave
// follows it; one successor per wave, so a series is a line), and actions recorded on a wave's criteria.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table surveys
      add column previous_survey_id uuid,
      add constraint surveys_previous_fkey foreign key (organization_id, previous_survey_id)
        references surveys (organization_id, id) on delete set null (previous_survey_id),
      add constraint surveys_previous_check check (previous_survey_id <> id)`.execute(db);
  await sql`create unique index surveys_previous_key on surveys (organization_id, previous_survey_id)`.execute(
    db,
  );

  // An action's criterion belongs to the action's wave: the foreign key carries the survey id.
  await sql`alter table survey_criteria
    add constraint survey_criteria_survey_key unique (organization_id, survey_id, id)`.execute(db);

  await db.schema
    .createTable('actions')
    .addColumn('organization_id', 'uuid', (col) => col.notNull())
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .addColumn('survey_id', 'uuid', (col) => col.notNull())
    .addColumn('survey_criterion_id', 'uuid', (col) => col.notNull())
    .addColumn('account_id', 'uuid')
    .addColumn('owner_user_id', 'uuid')
    .addColumn('created_by_user_id', 'uuid')
    .addColumn('title', 'text', (col) =>
      col.notNull().check(sql`char_length(btrim(title)) between 1 and 200`),
    )
    .addColumn('due_date', 'date')
    .addColumn('status', 'text', (col) =>
      col.notNull().defaultTo('planned').check(sql`status in ('planned', 'in_progress', 'done')`),
    )
    .addColumn('note', 'text', (col) => col.check(sql`char_length(note) <= 5000`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('actions_pkey', ['organization_id', 'id'])
    .addForeignKeyConstraint(
      'actions_criterion_fkey',
      ['organization_id', 'survey_id', 'survey_criterion_id'],
      'survey_criteria',
      ['organization_id', 'survey_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addForeignKeyConstraint(
      'actions_account_fkey',
      ['organization_id', 'account_id'],
      'accounts',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .execute();
  // Users are deactivated, not deleted; should one go, its actions stay without an owner or author.
  await sql`alter table actions
    add constraint actions_owner_fkey foreign key (organization_id, owner_user_id)
      references users (organization_id, id) on delete set null (owner_user_id),
    add constraint actions_author_fkey foreign key (organization_id, created_by_user_id)
      references users (organization_id, id) on delete set null (created_by_user_id)`.execute(db);
  await sql`create index actions_survey_idx on actions (organization_id, survey_id)`.execute(db);
  await sql`create index actions_owner_idx on actions (organization_id, owner_user_id) where status <> 'done'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('actions').execute();
  await sql`alter table survey_criteria drop constraint survey_criteria_survey_key`.execute(db);
  await sql`drop index surveys_previous_key`.execute(db);
  await sql`alter table surveys drop column previous_survey_id`.execute(db);
}
