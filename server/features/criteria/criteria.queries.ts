import type { Kysely } from 'kysely';
import type { Audience, Database, Db } from '../../db/database.js';
import { isUniqueViolation } from '../auth/auth.queries.js';
import { slugOf } from './criteria.schemas.js';

export interface CriterionLabels {
  labelNb: string;
  labelEn: string;
}

const columns = [
  'id',
  'key',
  'label_nb as labelNb',
  'label_en as labelEn',
  'audience',
  'position',
  'retired_at as retiredAt',
] as const;

/** Every criterion of the organisation, active and retired, in position order. */
export function listCriteria(db: Db, organizationId: string) {
  return db
    .selectFrom('criteria')
    .select(columns)
    .where('organization_id', '=', organizationId)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
}

/** The criteria a new survey wave asks, in order: what the wave freezes. */
export function listActiveCriteria(
  db: Db,
  organizationId: string,
): Promise<
  Array<{
    id: string;
    key: string | null;
    labelNb: string;
    labelEn: string;
    audience: Audience;
    position: number;
  }>
> {
  return db
    .selectFrom('criteria')
    .select(['id', 'key', 'label_nb as labelNb', 'label_en as labelEn', 'audience', 'position'])
    .where('organization_id', '=', organizationId)
    .where('retired_at', 'is', null)
    .orderBy('position')
    .orderBy('created_at')
    .execute();
}

export function findCriterion(db: Db, organizationId: string, criterionId: string) {
  return db
    .selectFrom('criteria')
    .select(columns)
    .where('organization_id', '=', organizationId)
    .where('id', '=', criterionId)
    .executeTakeFirst();
}

/** A key not yet used in the organisation: the slug, else slug_2, slug_3 … */
async function freeKey(db: Db, organizationId: string, labelEn: string): Promise<string> {
  const base = slugOf(labelEn);
  const taken = new Set(
    (
      await db
        .selectFrom('criteria')
        .select('key')
        .where('organization_id', '=', organizationId)
        .where('key', 'like', `${base}%`)
        .execute()
    ).map((row) => row.key),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const key = `${base}_${n}`;
    if (!taken.has(key)) return key;
  }
}

/** Adds a criterion at the end of the list; its key is a slug of the English label, unique in the organisation. */
export async function insertCriterion(
  db: Kysely<Database>,
  organizationId: string,
  criterion: CriterionLabels & { audience: Audience },
): Promise<string> {
  // Two people adding the same label at once: the loser retries with the next free key.
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(async (trx) => {
        const key = await freeKey(trx, organizationId, criterion.labelEn);
        const { max } = await trx
          .selectFrom('criteria')
          .select((eb) => eb.fn.max('position').as('max'))
          .where('organization_id', '=', organizationId)
          .executeTakeFirstOrThrow();
        const { id } = await trx
          .insertInto('criteria')
          .values({
            organization_id: organizationId,
            key,
            label_nb: criterion.labelNb,
            label_en: criterion.labelEn,
            audience: criterion.audience,
            position: (max ?? -1) + 1,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        return id;
      });
    } catch (error) {
      if (!isUniqueViolation(error) || attempt >= 3) throw error;
    }
  }
}

export async function renameCriterion(
  db: Db,
  organizationId: string,
  criterionId: string,
  labels: CriterionLabels,
): Promise<boolean> {
  const result = await db
    .updateTable('criteria')
    .set({ label_nb: labels.labelNb, label_en: labels.labelEn })
    .where('organization_id', '=', organizationId)
    .where('id', '=', criterionId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Swaps an active criterion with its active neighbour above or below. False when the criterion does not
 * exist or is retired; moving the first one up (or the last one down) changes nothing.
 */
export async function moveCriterion(
  db: Kysely<Database>,
  organizationId: string,
  criterionId: string,
  direction: 'up' | 'down',
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    // Lock the organisation's list so two moves at once cannot interleave their swaps.
    const active = await trx
      .selectFrom('criteria')
      .select(['id', 'position'])
      .where('organization_id', '=', organizationId)
      .where('retired_at', 'is', null)
      .orderBy('position')
      .orderBy('created_at')
      .forUpdate()
      .execute();
    const index = active.findIndex((criterion) => criterion.id === criterionId);
    const current = active[index];
    if (current === undefined) return false;
    const neighbour = active[direction === 'up' ? index - 1 : index + 1];
    if (neighbour === undefined) return true;
    await setPosition(trx, organizationId, current.id, neighbour.position);
    await setPosition(trx, organizationId, neighbour.id, current.position);
    return true;
  });
}

function setPosition(db: Db, organizationId: string, criterionId: string, position: number) {
  return db
    .updateTable('criteria')
    .set({ position })
    .where('organization_id', '=', organizationId)
    .where('id', '=', criterionId)
    .execute();
}

/** Retires (or, with `retired` false, restores) a criterion; it keeps its place in the order. */
export async function setCriterionRetired(
  db: Db,
  organizationId: string,
  criterionId: string,
  retired: boolean,
): Promise<boolean> {
  const result = await db
    .updateTable('criteria')
    .set({ retired_at: retired ? new Date() : null })
    .where('organization_id', '=', organizationId)
    .where('id', '=', criterionId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
