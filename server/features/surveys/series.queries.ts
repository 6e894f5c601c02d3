import { sql } from 'kysely';
import type { Db, SurveyStatus } from '../../db/database.js';
import { effectiveStatus } from './surveys.queries.js';

export interface SeriesWave {
  id: string;
  name: string;
  status: SurveyStatus;
  openedAt: Date | null;
  closedAt: Date | null;
  createdAt: Date;
}

/**
 * The series a wave belongs to as a WITH clause defining `chain (id, position)`: every wave reachable
 * backwards through `previous_survey_id` (negative positions) and forwards through successors (at most one
 * per wave, so a series is a line), the wave itself at 0. Empty when the wave is not the organisation's. The
 * app cannot make a cycle (a copy always follows an older wave), but a direct update could: each walk stops
 * at a wave it has seen, so the query always ends, and a wave found both ways is listed once, at the position
 * nearer the starting wave.
 */
export function seriesChain(organizationId: string, surveyId: string) {
  return sql`
    with recursive
      earlier (id, previous_id, position, seen) as (
        select id, previous_survey_id, 0, array[id] from surveys
        where organization_id = ${organizationId} and id = ${surveyId}
        union all
        select surveys.id, surveys.previous_survey_id, earlier.position - 1, earlier.seen || surveys.id
        from earlier
        join surveys on surveys.organization_id = ${organizationId} and surveys.id = earlier.previous_id
        where surveys.id <> all (earlier.seen)
      ),
      later (id, position, seen) as (
        select id, 0, array[id] from surveys
        where organization_id = ${organizationId} and id = ${surveyId}
        union all
        select surveys.id, later.position + 1, later.seen || surveys.id
        from later
        join surveys on surveys.organization_id = ${organizationId} and surveys.previous_survey_id = later.id
        where surveys.id <> all (later.seen)
      ),
      chain as (
        select distinct on (id) id, position
        from (select id, position from earlier union all select id, position from later) found
        order by id, abs(position), position
      )`;
}

/** The waves of the series a wave belongs to (seriesChain), oldest first; empty when the wave is not the organisation's. */
export async function listSeries(db: Db, organizationId: string, surveyId: string): Promise<SeriesWave[]> {
  const { rows } = await sql<SeriesWave>`${seriesChain(organizationId, surveyId)}
    select surveys.id, surveys.name, ${effectiveStatus} as status, surveys.opened_at as "openedAt",
      surveys.closed_at as "closedAt", surveys.created_at as "createdAt"
    from chain
    join surveys on surveys.organization_id = ${organizationId} and surveys.id = chain.id
    order by chain.position`.execute(db);
  return rows;
}
