import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/** What the audit log records; the list is the i18n keys' suffixes too (privacy.action.<action>). */
export const AUDIT_ACTIONS = [
  'privacy_export',
  'privacy_lookup',
  'privacy_erase',
  'report_export_csv',
  'report_export_pdf',
  'actions_export_csv',
  'retention_anonymise',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  organizationId: string;
  /** null: the scheduled retention job */
  userId: string | null;
  action: AuditAction;
  surveyId?: string | null;
  subjectHash?: Buffer | null;
  /** Counts and kinds only: never content, never an address. */
  detail?: Record<string, number | string>;
}

export function insertAuditEntry(db: Db, entry: AuditEntry) {
  return db
    .insertInto('audit_log')
    .values({
      organization_id: entry.organizationId,
      user_id: entry.userId,
      action: entry.action,
      survey_id: entry.surveyId ?? null,
      subject_hash: entry.subjectHash ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}

export interface AuditRow {
  id: string;
  at: Date;
  action: string;
  userName: string | null;
  userEmail: string | null;
  surveyId: string | null;
  surveyName: string | null;
  detail: Record<string, number | string>;
  /** The keyed hash of a privacy request's address, hex; null for other actions. */
  subjectHash: string | null;
}

/** The organisation's audit log, newest first, with who (the user's name) and which wave (its name). */
export function listAuditEntries(db: Db, organizationId: string, limit = 200): Promise<AuditRow[]> {
  return db
    .selectFrom('audit_log as l')
    .leftJoin('users as u', (join) =>
      join.onRef('u.organization_id', '=', 'l.organization_id').onRef('u.id', '=', 'l.user_id'),
    )
    .leftJoin('surveys as s', (join) =>
      join.onRef('s.organization_id', '=', 'l.organization_id').onRef('s.id', '=', 'l.survey_id'),
    )
    .select([
      'l.id',
      'l.at',
      'l.action',
      'u.name as userName',
      'u.email as userEmail',
      'l.survey_id as surveyId',
      's.name as surveyName',
      'l.detail',
      sql<string | null>`encode(l.subject_hash, 'hex')`.as('subjectHash'),
    ])
    .where('l.organization_id', '=', organizationId)
    .orderBy('l.at', 'desc')
    .orderBy('l.id')
    .limit(limit)
    .execute();
}

/** The privacy requests recorded for one address (by its keyed hash): proof that they were handled. */
export function listEntriesForSubject(db: Db, organizationId: string, subjectHash: Buffer) {
  return db
    .selectFrom('audit_log as l')
    .leftJoin('users as u', (join) =>
      join.onRef('u.organization_id', '=', 'l.organization_id').onRef('u.id', '=', 'l.user_id'),
    )
    .select(['l.id', 'l.at', 'l.action', 'u.name as userName'])
    .where('l.organization_id', '=', organizationId)
    .where('l.subject_hash', '=', subjectHash)
    .orderBy('l.at', 'desc')
    .limit(50)
    .execute();
}
