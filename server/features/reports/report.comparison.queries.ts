import type { Db } from '../../db/database.js';

/** The wave a wave follows in its series (surveys.previous_survey_id), with its name; undefined when none. */
export function findPreviousWave(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('surveys as current')
    .innerJoin('surveys as previous', (join) =>
      join
        .onRef('previous.organization_id', '=', 'current.organization_id')
        .onRef('previous.id', '=', 'current.previous_survey_id'),
    )
    .select(['previous.id', 'previous.name'])
    .where('current.organization_id', '=', organizationId)
    .where('current.id', '=', surveyId)
    .executeTakeFirst();
}

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

/** A wave's criteria with what identifies them across waves: the key and the library criterion. */
export function listCriteriaIdentities(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('survey_criteria')
    .select([
      'id',
      'key',
      'criterion_id as criterionId',
      'label_nb as labelNb',
      'label_en as labelEn',
      'audience',
    ])
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .orderBy('position')
    .execute();
}
