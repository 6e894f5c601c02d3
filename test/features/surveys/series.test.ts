import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSeries } from '../../../server/features/surveys/series.queries.js';
import { buildTestApp } from '../../helpers/app.js';
import { setUpWave } from '../../helpers/surveys.js';

// Waves are linked straight in the table here: the copy endpoint that links them is tested on its own.

let app: FastifyInstance;
let organizationId: string;
let otherOrganizationId: string;
let api: Awaited<ReturnType<typeof setUpWave>>['api'];
let otherApi: Awaited<ReturnType<typeof setUpWave>>['api'];

async function organizationOf(surveyId: string): Promise<string> {
  const row = await app.db
    .selectFrom('surveys')
    .select('organization_id')
    .where('id', '=', surveyId)
    .executeTakeFirstOrThrow();
  return row.organization_id;
}

async function newWave(client: typeof api, name: string): Promise<string> {
  const response = await client.post('/api/v1/surveys', { name }).expect(201);
  return response.body.id;
}

async function link(organization: string, surveyId: string, previousSurveyId: string | null) {
  await app.db
    .updateTable('surveys')
    .set({ previous_survey_id: previousSurveyId })
    .where('organization_id', '=', organization)
    .where('id', '=', surveyId)
    .execute();
}

/** A line of waves named `${prefix} 1…n`, each following the one before. */
async function chain(client: typeof api, organization: string, prefix: string, length: number) {
  const ids: string[] = [];
  for (let index = 1; index <= length; index++) {
    const id = await newWave(client, `${prefix} ${index}`);
    if (ids.length > 0) await link(organization, id, ids[ids.length - 1] as string);
    ids.push(id);
  }
  return ids;
}

beforeAll(async () => {
  app = await buildTestApp();
  const first = await setUpWave(app, { organization: 'Serie AS' });
  api = first.api;
  organizationId = await organizationOf(first.surveyId);
  const second = await setUpWave(app, { organization: 'Annen AS' });
  otherApi = second.api;
  otherOrganizationId = await organizationOf(second.surveyId);
});
afterAll(async () => {
  await app.close();
});

describe('listSeries', () => {
  it('lists a wave without predecessor or successor alone, with its fields', async () => {
    const id = await newWave(api, 'Alene');
    const series = await listSeries(app.db, organizationId, id);
    expect(series).toHaveLength(1);
    expect(series[0]).toMatchObject({ id, name: 'Alene', status: 'draft', openedAt: null, closedAt: null });
    expect(series[0]?.createdAt).toBeInstanceOf(Date);
  });

  it('lists a chain of three oldest first, from its first, middle or last wave', async () => {
    const ids = await chain(api, organizationId, 'Tre', 3);
    for (const start of ids) {
      const series = await listSeries(app.db, organizationId, start);
      expect(series.map((wave) => wave.id)).toEqual(ids);
    }
  });

  it('orders by the links, not by creation time', async () => {
    // Created newest first, then linked the other way round.
    const c = await newWave(api, 'Omvendt C');
    const b = await newWave(api, 'Omvendt B');
    const a = await newWave(api, 'Omvendt A');
    await link(organizationId, b, a);
    await link(organizationId, c, b);
    expect((await listSeries(app.db, organizationId, b)).map((wave) => wave.name)).toEqual([
      'Omvendt A',
      'Omvendt B',
      'Omvendt C',
    ]);
  });

  it('keeps separate series apart', async () => {
    const one = await chain(api, organizationId, 'Én', 2);
    const two = await chain(api, organizationId, 'To', 2);
    expect((await listSeries(app.db, organizationId, one[1] as string)).map((wave) => wave.id)).toEqual(one);
    expect((await listSeries(app.db, organizationId, two[0] as string)).map((wave) => wave.id)).toEqual(two);
  });

  it('shows the effective status and dates of each wave', async () => {
    const [first, second] = await chain(api, organizationId, 'Status', 2);
    await api.post(`/api/v1/surveys/${first}/open`).expect(200);
    await api.post(`/api/v1/surveys/${first}/close`).expect(200);
    const series = await listSeries(app.db, organizationId, second as string);
    expect(series.map((wave) => wave.status)).toEqual(['closed', 'draft']);
    expect(series[0]?.openedAt).toBeInstanceOf(Date);
    expect(series[0]?.closedAt).toBeInstanceOf(Date);
  });

  it('ends on a cycle made by hand and lists each wave once', async () => {
    const ids = await chain(api, organizationId, 'Ring', 3);
    await link(organizationId, ids[0] as string, ids[2] as string);
    for (const start of ids) {
      const series = await listSeries(app.db, organizationId, start);
      expect(series).toHaveLength(3);
      expect(new Set(series.map((wave) => wave.id))).toEqual(new Set(ids));
      // The starting wave sits between its predecessor and its successor.
      expect(series[1]?.id).toBe(start);
    }
  });

  it('never lists another organisation’s waves, nor its own to another organisation', async () => {
    const own = await chain(api, organizationId, 'Egen', 2);
    const theirs = await chain(otherApi, otherOrganizationId, 'Deres', 3);
    expect((await listSeries(app.db, organizationId, own[0] as string)).map((wave) => wave.id)).toEqual(own);
    expect(await listSeries(app.db, organizationId, theirs[1] as string)).toEqual([]);
    expect(await listSeries(app.db, otherOrganizationId, own[0] as string)).toEqual([]);
  });

  it('is refused by the database a link into another organisation', async () => {
    const own = await newWave(api, 'Grense');
    const theirs = await newWave(otherApi, 'Grense');
    await expect(link(organizationId, own, theirs)).rejects.toThrow(/surveys_previous_fkey/);
    expect((await listSeries(app.db, organizationId, own)).map((wave) => wave.id)).toEqual([own]);
  });
});
