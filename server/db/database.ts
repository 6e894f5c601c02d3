import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'admin' | 'manager' | 'kam';

export interface OrganizationsTable {
  id: Generated<string>;
  name: string;
  small_sample_threshold: Generated<number>;
  /** Days after a wave closes until its personal data is anonymised; null = kept until erased (migration privacy). */
  retention_days: ColumnType<number | null, number | null | undefined, number | null>;
  /** k: a confidential wave shows no customer cut of fewer respondents (1–50, migration confidential). */
  min_group_size: Generated<number>;
  /** Whom respondents contact to see or erase their data (an address or a line of text); null: not set. */
  privacy_contact: string | null;
  created_at: Generated<Date>;
}

export interface UsersTable {
  organization_id: string;
  id: Generated<string>;
  email: string;
  name: string;
  role: Role;
  /** null until the user sets a password through their emailed link (migration account-emails). */
  password_hash: string | null;
  active: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface LoginIdentitiesTable {
  email: string;
  organization_id: string;
  user_id: string;
}

export interface SessionsTable {
  id: string;
  data: ColumnType<unknown, string, string>;
  organization_id: string | null;
  user_id: string | null;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  organization_id: string;
  id: Generated<string>;
  user_id: string;
  name: string;
  prefix: string;
  key_hash: Buffer;
  created_at: Generated<Date>;
  last_used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export type Audience = 'both' | 'seller';
export type Language = 'nb' | 'en';
export type SurveyStatus = 'draft' | 'open' | 'closed';
export type RespondentRole = 'customer' | 'seller';
export type Dimension = 'importance' | 'performance';

export interface CriteriaTable {
  organization_id: string;
  id: Generated<string>;
  key: string | null;
  label_nb: string;
  label_en: string;
  audience: Audience;
  position: number;
  retired_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface AccountsTable {
  organization_id: string;
  id: Generated<string>;
  name: string;
  segment: string | null;
  kam_user_id: string | null;
  created_at: Generated<Date>;
}

export interface ContactsTable {
  organization_id: string;
  id: Generated<string>;
  account_id: string;
  name: string | null;
  email: string;
  /** null: not known, so an invitation uses its wave's language (migration contact-language-optional). */
  language: ColumnType<Language | null, Language | null | undefined, Language | null>;
  created_at: Generated<Date>;
}

export interface SurveysTable {
  organization_id: string;
  id: Generated<string>;
  name: string;
  language: Generated<Language>;
  status: Generated<SurveyStatus>;
  crosshair: Generated<'grand_mean' | 'midpoint'>;
  closes_at: NullableTimestamp;
  opened_at: NullableTimestamp;
  /** Set exactly while closed; it can be reopened within 30 days of this (migration wave-intro-and-reopen). */
  closed_at: NullableTimestamp;
  /** Plain text for respondents, shown escaped, never compiled as a template; null when none. */
  intro: string | null;
  reminder_after_days: Generated<number | null>;
  max_reminders: Generated<number>;
  /** Customers' answers shown only in groups of at least the organisation's min_group_size (issue 13). */
  confidential: Generated<boolean>;
  /** The wave this one follows in its series (a copy of it); at most one successor per wave. */
  previous_survey_id: string | null;
  /** When the retention job anonymised this wave's personal data (migration privacy). */
  anonymised_at: NullableTimestamp;
  /** Whether customers are asked overall satisfaction after the criteria (false for waves before issue 12). */
  overall_question: Generated<boolean>;
  created_at: Generated<Date>;
}

export interface SurveyCriteriaTable {
  organization_id: string;
  survey_id: string;
  id: Generated<string>;
  criterion_id: string | null;
  key: string | null;
  label_nb: string;
  label_en: string;
  audience: Audience;
  position: number;
}

export interface InvitationsTable {
  organization_id: string;
  id: Generated<string>;
  survey_id: string;
  role: RespondentRole;
  email: string;
  name: string | null;
  language: Language;
  account_id: string | null;
  contact_id: string | null;
  user_id: string | null;
  token_salt: Buffer;
  token_hash: Buffer;
  opened_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  /** Erased or anonymised: no address (a placeholder), name, contact, user or working link (migration privacy). */
  erased_at: NullableTimestamp;
  created_at: Generated<Date>;
}

export interface ResponsesTable {
  organization_id: string;
  id: Generated<string>;
  survey_id: string;
  invitation_id: string;
  role: RespondentRole;
  status: 'in_progress' | 'submitted';
  /** The invitation's account (customers); null for sellers. */
  account_id: string | null;
  comment: string | null;
  /** Overall satisfaction (customers): false = unanswered; true with a null score = "don't know". */
  overall_answered: Generated<boolean>;
  overall_score: number | null;
  version: Generated<number>;
  submitted_at: NullableTimestamp;
  /** Its person was erased: kept as an anonymous answer (migration privacy). */
  erased_at: NullableTimestamp;
  created_at: Generated<Date>;
  updated_at: Timestamp;
}

export interface AnswersTable {
  organization_id: string;
  survey_id: string;
  response_id: string;
  role: RespondentRole;
  survey_criterion_id: string;
  audience: Audience;
  dimension: Dimension;
  /** null = an explicit "don't know"; an unanswered rating has no row. */
  score: number | null;
  /** The response's status, kept equal by a cascading foreign key: only submitted answers are totalled. */
  response_status: 'in_progress' | 'submitted';
  account_id: string | null;
}

/** Invitations and submitted responses per wave × role × account, kept by triggers (migration response-counts). */
export interface ResponseCountsTable {
  organization_id: string;
  survey_id: string;
  role: RespondentRole;
  account_id: string | null;
  /** invitations not revoked; bigint arrives as a string */
  invited: ColumnType<string, never, never>;
  /** their submitted responses */
  responded: ColumnType<string, never, never>;
}

export interface ResponseRevisionsTable {
  organization_id: string;
  response_id: string;
  version: number;
  status: 'in_progress' | 'submitted';
  comment: string | null;
  answers: ColumnType<unknown, string, string>;
  overall_answered: Generated<boolean>;
  overall_score: number | null;
  created_at: Generated<Date>;
}

type Total = ColumnType<string, never, never>;

/**
 * Running totals per wave × criterion × account (null: the sellers, organisation-wide), over submitted
 * responses, kept from the response summaries at commit (migration criterion-totals); bigint arrives as a
 * string. The scores of each dimension (n, Σx, Σx²); the drivers over customers with both a performance
 * score x and an overall score y; the items of each reliability series over the respondents who scored all
 * of it, T their total (n, Σx, Σx², Σx·T). The importance series is the customers' on an account's row, the
 * sellers' on the row without one.
 */
export interface CriterionTotalsTable {
  organization_id: string;
  survey_id: string;
  survey_criterion_id: string;
  account_id: string | null;
  importance_n: Total;
  importance_sum: Total;
  importance_squares: Total;
  performance_n: Total;
  performance_sum: Total;
  performance_squares: Total;
  driver_n: Total;
  driver_x: Total;
  driver_y: Total;
  driver_xx: Total;
  driver_yy: Total;
  driver_xy: Total;
  importance_series_n: Total;
  importance_series_sum: Total;
  importance_series_squares: Total;
  importance_series_with_total: Total;
  performance_series_n: Total;
  performance_series_sum: Total;
  performance_series_squares: Total;
  performance_series_with_total: Total;
}

/** Per wave × account (sellers: null): customers' overall scores (n, Σy, Σy²) and each series' totals T (n, ΣT, ΣT²). */
export interface AccountTotalsTable {
  organization_id: string;
  survey_id: string;
  account_id: string | null;
  satisfaction_n: Total;
  satisfaction_sum: Total;
  satisfaction_squares: Total;
  importance_series_n: Total;
  importance_series_sum: Total;
  importance_series_squares: Total;
  performance_series_n: Total;
  performance_series_sum: Total;
  performance_series_squares: Total;
}

export type ReliabilitySeries = 'customerPerformance' | 'customerImportance' | 'sellerImportance';

export type EmailKind = 'invitation' | 'reminder';
export type EmailStatus = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped' | 'outbox';

export interface EmailOptOutsTable {
  organization_id: string;
  /** The address, lower-cased; null once it was erased, when only email_hash is kept (migration privacy). */
  email: string | null;
  email_hash: Buffer | null;
  created_at: Generated<Date>;
}

/** Append-only (migration privacy): who did what, when, to which wave — counts only, never content. */
export interface AuditLogTable {
  organization_id: string;
  id: Generated<string>;
  at: Generated<Date>;
  /** null: the scheduled retention job */
  user_id: string | null;
  action: string;
  survey_id: string | null;
  /** A keyed hash of a privacy request's address, never the address. */
  subject_hash: Buffer | null;
  detail: ColumnType<Record<string, number | string>, string | undefined, never>;
}

/** Comments of a wave anonymised by retention, cut from their response and so from the account. */
export interface SurveyCommentsTable {
  organization_id: string;
  survey_id: string;
  id: Generated<string>;
  role: RespondentRole;
  comment: string;
}

export interface EmailMessagesTable {
  organization_id: string;
  id: Generated<string>;
  kind: EmailKind;
  survey_id: string;
  invitation_id: string;
  automatic: Generated<boolean>;
  status: Generated<EmailStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
}

export type AccountEmailKind = 'welcome' | 'password_reset' | 'signup' | 'account_exists';

/** One account email and, for the kinds with a link, its single-use token (salt and hash only). */
export interface AccountEmailsTable {
  id: Generated<string>;
  kind: AccountEmailKind;
  /** null for a sign-up: its organisation is created when the link is followed. */
  organization_id: string | null;
  user_id: string | null;
  email: string;
  name: string | null;
  organization_name: string | null;
  language: Language;
  token_salt: Buffer | null;
  token_hash: Buffer | null;
  expires_at: NullableTimestamp;
  used_at: NullableTimestamp;
  status: Generated<EmailStatus>;
  attempts: Generated<number>;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: NullableTimestamp;
}

export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  login_identities: LoginIdentitiesTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  criteria: CriteriaTable;
  accounts: AccountsTable;
  contacts: ContactsTable;
  surveys: SurveysTable;
  survey_criteria: SurveyCriteriaTable;
  invitations: InvitationsTable;
  responses: ResponsesTable;
  answers: AnswersTable;
  response_revisions: ResponseRevisionsTable;
  criterion_totals: CriterionTotalsTable;
  response_counts: ResponseCountsTable;
  account_totals: AccountTotalsTable;
  rate_limits: RateLimitsTable;
  email_opt_outs: EmailOptOutsTable;
  email_messages: EmailMessagesTable;
  account_emails: AccountEmailsTable;
  actions: ActionsTable;
  audit_log: AuditLogTable;
  survey_comments: SurveyCommentsTable;
}

export type ActionStatus = 'planned' | 'in_progress' | 'done';

/** What someone does about a criterion of a wave (issue 11); the next wave's report shows it beside the change. */
export interface ActionsTable {
  organization_id: string;
  id: Generated<string>;
  survey_id: string;
  survey_criterion_id: string;
  /** For one account, or null for the whole wave. */
  account_id: string | null;
  owner_user_id: string | null;
  created_by_user_id: string | null;
  title: string;
  /** A calendar day: select it as `due_date::text` ('YYYY-MM-DD'); pg would return a Date at local midnight. */
  due_date: ColumnType<string | null, string | null | undefined, string | null>;
  status: Generated<ActionStatus>;
  note: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

/** rate-limiter-flexible's table (server/plugins/rate-limits.ts); the app never queries it directly. */
export interface RateLimitsTable {
  key: string;
  points: number;
  expire: string | null;
}

/** Queries take this first: the app's Kysely instance or a transaction. */
export type Db = Kysely<Database> | Transaction<Database>;
