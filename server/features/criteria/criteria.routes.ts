import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../../lib/errors.js';
import { translate } from '../../lib/i18n.js';
import { fieldErrors } from '../../lib/validation.js';
import { principalOf } from '../../plugins/auth.js';
import './criteria.messages.js';
import {
  findCriterion,
  insertCriterion,
  listCriteria,
  moveCriterion,
  renameCriterion,
  setCriterionRetired,
} from './criteria.queries.js';
import {
  AUDIENCES,
  criterionLabels,
  criterionParams,
  moveForm,
  newCriterionForm,
} from './criteria.schemas.js';

type Form = Record<string, unknown>;
type Errors = Record<string, string>;

const formOf = (request: FastifyRequest): Form => (request.body ?? {}) as Form;

export default async function criteriaRoutes(app: FastifyInstance) {
  const managers = { preHandler: app.requireRole('admin', 'manager') };

  /** The :id of a criterion of the caller's organisation; 404 for a malformed or foreign id. */
  async function criterionOf(request: FastifyRequest) {
    const parsed = criterionParams.safeParse(request.params);
    if (!parsed.success) throw notFound();
    const criterion = await findCriterion(app.db, principalOf(request).organizationId, parsed.data.id);
    if (!criterion) throw notFound();
    return criterion;
  }

  async function renderList(
    request: FastifyRequest,
    reply: FastifyReply,
    values: Form,
    errors: Errors,
    status = 200,
  ) {
    const criteria = await listCriteria(app.db, principalOf(request).organizationId);
    const active = criteria.filter((criterion) => criterion.retiredAt === null);
    return reply.render(
      'criteria/list',
      {
        title: translate(request.lang, 'criteria.title'),
        active: active.map((criterion, index) => ({
          ...criterion,
          number: index + 1,
          first: index === 0,
          last: index === active.length - 1,
        })),
        retired: criteria.filter((criterion) => criterion.retiredAt !== null),
        audiences: AUDIENCES,
        values,
        errors,
        hasErrors: Object.keys(errors).length > 0,
      },
      status,
    );
  }

  app.get('/criteria', managers, async (request, reply) =>
    renderList(request, reply, { audience: 'both' }, {}),
  );

  app.post('/criteria', managers, async (request, reply) => {
    const raw = formOf(request);
    const parsed = newCriterionForm.safeParse(raw);
    if (!parsed.success) {
      const values = { label_nb: raw.label_nb, label_en: raw.label_en, audience: raw.audience };
      return renderList(request, reply, values, fieldErrors(parsed.error), 400);
    }
    const { label_nb: labelNb, label_en: labelEn, audience } = parsed.data;
    await insertCriterion(app.db, principalOf(request).organizationId, { labelNb, labelEn, audience });
    return reply.redirect('/criteria', 303);
  });

  app.get('/criteria/:id', managers, async (request, reply) => {
    const criterion = await criterionOf(request);
    return reply.render('criteria/edit', {
      title: translate(request.lang, 'criteria.editTitle'),
      criterion,
      values: { label_nb: criterion.labelNb, label_en: criterion.labelEn },
      errors: {},
    });
  });

  app.post('/criteria/:id', managers, async (request, reply) => {
    const criterion = await criterionOf(request);
    const raw = formOf(request);
    const parsed = criterionLabels.safeParse(raw);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error);
      return reply.render(
        'criteria/edit',
        {
          title: translate(request.lang, 'criteria.editTitle'),
          criterion,
          values: { label_nb: raw.label_nb, label_en: raw.label_en },
          errors,
          hasErrors: true,
        },
        400,
      );
    }
    const { label_nb: labelNb, label_en: labelEn } = parsed.data;
    await renameCriterion(app.db, principalOf(request).organizationId, criterion.id, { labelNb, labelEn });
    return reply.redirect('/criteria', 303);
  });

  app.post('/criteria/:id/move', managers, async (request, reply) => {
    const criterion = await criterionOf(request);
    const { direction } = moveForm.parse(formOf(request));
    if (!(await moveCriterion(app.db, principalOf(request).organizationId, criterion.id, direction))) {
      throw notFound();
    }
    return reply.redirect(`/criteria#criterion-${criterion.id}`, 303);
  });

  app.post('/criteria/:id/retire', managers, async (request, reply) => {
    const criterion = await criterionOf(request);
    await setCriterionRetired(app.db, principalOf(request).organizationId, criterion.id, true);
    return reply.redirect('/criteria', 303);
  });

  app.post('/criteria/:id/restore', managers, async (request, reply) => {
    const criterion = await criterionOf(request);
    await setCriterionRetired(app.db, principalOf(request).organizationId, criterion.id, false);
    return reply.redirect('/criteria', 303);
  });
}
