import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimMessage } from '../../../server/features/email/email.queries.js';
import { deliver, type Send } from '../../../server/features/email/email.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { setUpWave } from '../../helpers/surveys.js';

// deliver() is what each queue job runs. These tests call it directly, as a worker would, to show what a
// job handed out twice does: after a crash mid-send, and after a send that completed.
describe('deliver (one queue job)', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp();
  });
  afterAll(async () => app.close());

  async function queuedMessage() {
    const wave = await setUpWave(app);
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail('once'), accountId: wave.accountId }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    const message = await app.db
      .selectFrom('email_messages')
      .select(['organization_id as organizationId', 'id as messageId'])
      .where('survey_id', '=', wave.surveyId)
      .executeTakeFirstOrThrow();
    return message;
  }

  function countingSender() {
    const sent: string[] = [];
    const send: Send = async (email) => {
      sent.push(email.to.address);
    };
    return { sent, send };
  }

  it('does nothing for a job handed out again after its message was sent', async () => {
    const job = await queuedMessage();
    const { sent, send } = countingSender();
    expect(await deliver(app.db, app.mail, send, job, 4)).toBe('sent');
    expect(await deliver(app.db, app.mail, send, job, 4)).toBe('already-done');
    expect(sent).toHaveLength(1);
  });

  it('sends once more when a worker died between claiming and recording the send: at most one duplicate', async () => {
    const job = await queuedMessage();
    // The dead worker claimed the message (status 'sending') and may or may not have handed it to SMTP.
    await claimMessage(app.db, job.organizationId, job.messageId);
    const { sent, send } = countingSender();
    expect(await deliver(app.db, app.mail, send, job, 4)).toBe('sent');
    expect(await deliver(app.db, app.mail, send, job, 4)).toBe('already-done');
    expect(sent).toHaveLength(1);
    const row = await app.db
      .selectFrom('email_messages')
      .select(['status', 'attempts'])
      .where('id', '=', job.messageId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'sent', attempts: 2 });
  });
});
