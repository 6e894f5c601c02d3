import type { Db } from '../../db/database.js';

/** The organisation's other waves, newest first, the wave's predecessor marked: what a report may compare with. */
export async function listOtherWaves(db: Db, organizationId: string, surveyId: string) {
  const rows = await db
    .selectFrom('surveys')
    .select((eb) => [
      'id',
      'name',
      eb
        .exists(
          eb
            .selectFrom('surveys as current')
            .select('current.id')
            .where('current.organization_id', '=', organizationId)
            .where('current.id', '=', surveyId)
            .whereRef('current.previous_survey_id', '=', 'surveys.id'),
        )
        .as('isPrevious'),
    ])
    .where('organization_id', '=', organizationId)
    .where('id', '<>', surveyId)
    .orderBy('created_at', 'desc')
    .orderBy('name')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, isPrevious: Boolean(row.isPrevious) }));
}
