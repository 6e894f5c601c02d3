import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Kysely } from 'kysely';
import type { Database } from '../../server/db/database.js';
import { insertApiKey } from '../../server/features/auth/auth.queries.js';
import { createOrganization } from '../../server/features/auth/organizations.service.js';
import { type HttpResult, httpRequest, sleep, waitFor } from './process.js';

export interface Invitation {
  id: string;
  /** /r/<token> */
  path: string;
  /** What this respondent answers: distinct scores per invitation, so a mix-up would show. */
  answers: Answer[];
}

export interface Answer {
  criterionId: string;
  importance: number;
  performance: number;
}

export interface OpenWave {
  organizationId: string;
  surveyId: string;
  criterionIds: string[];
  invitations: Invitation[];
}

/**
 * An organisation (made directly in the database, with an API key), then over the app's JSON API: an
 * account, a wave from the default library, `customers` customer invitations, and the wave opened.
 */
export async function openWave(baseUrl: string, db: Kysely<Database>, customers: number): Promise<OpenWave> {
  const unique = randomBytes(4).toString('hex');
  const { organizationId, userId } = await createOrganization(db, {
    organizationName: `Reliability ${unique}`,
    name: 'Ada Admin',
    email: `admin.${unique}@example.no`,
    password: 'correct horse battery staple',
  });
  const { key } = await insertApiKey(db, organizationId, userId, 'reliability test');
  const api = async (path: string, body: unknown, expected: number) => {
    const result = await httpRequest(`${baseUrl}${path}`, {
      method: 'POST',
      body,
      headers: { authorization: `Bearer ${key}` },
      timeoutMs: 60_000,
      agent: false,
    });
    if (result.status !== expected) {
      throw new Error(
        `POST ${path}: expected ${expected}, got ${result.status} ${result.error ?? result.body}`,
      );
    }
    return JSON.parse(result.body);
  };

  const account = await api('/api/v1/accounts', { name: `Kunde ${unique}`, segment: 'A' }, 201);
  const survey = await api('/api/v1/surveys', { name: `Bølge ${unique}`, overallQuestion: false }, 201);
  const criterionIds = (survey.criteria as Array<{ id: string; audience: string }>)
    .filter((criterion) => criterion.audience === 'both')
    .map((criterion) => criterion.id);
  const invited = await api(
    `/api/v1/surveys/${survey.id}/invitations`,
    {
      invitations: Array.from({ length: customers }, (_, i) => ({
        role: 'customer',
        email: `kunde.${i}.${unique}@example.no`,
        accountId: account.id,
      })),
    },
    201,
  );
  await api(`/api/v1/surveys/${survey.id}/open`, {}, 200);
  return {
    organizationId,
    surveyId: survey.id,
    criterionIds,
    invitations: (invited.invitations as Array<{ id: string; url: string }>).map((invitation, i) => ({
      id: invitation.id,
      path: new URL(invitation.url).pathname,
      answers: criterionIds.map((criterionId, j) => ({
        criterionId,
        importance: 1 + ((i + j) % 10),
        performance: 1 + ((3 * i + 7 * j + 1) % 10),
      })),
    })),
  };
}

/** The one item of a list that must have exactly one. */
export function only<T>(items: readonly T[]): T {
  const [item] = items;
  if (items.length !== 1 || item === undefined) throw new Error(`expected one item, got ${items.length}`);
  return item;
}

/** A customer's complete answer, submitted as JSON. */
export function submit(
  baseUrl: string,
  invitation: Invitation,
  agent: http.Agent | false,
  timeoutMs = 15_000,
) {
  return httpRequest(`${baseUrl}${invitation.path}`, {
    method: 'POST',
    body: { answers: invitation.answers, comment: null, submit: true },
    agent,
    timeoutMs,
  });
}

/** The respondent saw the submission acknowledged. */
export function acknowledged(result: HttpResult): boolean {
  if (result.status !== 200) return false;
  try {
    return JSON.parse(result.body).status === 'submitted';
  } catch {
    return false;
  }
}

export interface Attempt extends HttpResult {
  invitationId: string;
}

/**
 * `clients` respondents submitting distinct invitations one after another, as fast as the app answers.
 * An invitation whose submission was not acknowledged goes back in the queue (a respondent trying again),
 * after a short pause.
 */
export function startLoad(options: {
  baseUrl: string;
  invitations: Invitation[];
  clients: number;
  agent: http.Agent;
}) {
  const queue = [...options.invitations];
  const attempts: Attempt[] = [];
  const acked = new Set<string>();
  const inFlight = new Map<string, number>();
  let stopping = false;

  async function respondent() {
    while (!stopping) {
      const invitation = queue.shift();
      if (!invitation) return;
      inFlight.set(invitation.id, Date.now());
      const result = await submit(options.baseUrl, invitation, options.agent);
      inFlight.delete(invitation.id);
      attempts.push({ ...result, invitationId: invitation.id });
      if (acknowledged(result)) {
        acked.add(invitation.id);
      } else {
        queue.push(invitation);
        await sleep(150);
      }
    }
  }
  const done = Promise.all(Array.from({ length: options.clients }, respondent));

  return {
    attempts,
    acked,
    /** Invitations whose submission is on its way right now. */
    inFlight: () => new Set(inFlight.keys()),
    /** Waits until `count` acknowledged attempts satisfy `where` (all by default). */
    async waitForAcks(count: number, where: (attempt: Attempt) => boolean = () => true, timeoutMs = 60_000) {
      await waitFor(() => attempts.filter((a) => acknowledged(a) && where(a)).length >= count, {
        timeoutMs,
        what: `${count} acknowledged submissions (so far: ${summarize(attempts)})`,
      });
    },
    async stop() {
      stopping = true;
      await done;
    },
  };
}

/**
 * `clients` respondents opening links of the wave at random (as JSON), as fast as the app answers: the
 * openings of one moment share a statement, so a failure reaches several at once. A refused opening is
 * tried again after a short pause.
 */
export function startOpening(options: {
  baseUrl: string;
  invitations: Invitation[];
  clients: number;
  agent: http.Agent;
}) {
  const results: HttpResult[] = [];
  let stopping = false;
  async function opener() {
    while (!stopping) {
      const invitation = options.invitations[Math.floor(Math.random() * options.invitations.length)];
      if (!invitation) return;
      const result = await httpRequest(`${options.baseUrl}${invitation.path}`, {
        headers: { accept: 'application/json' },
        agent: options.agent,
        timeoutMs: 15_000,
      });
      results.push(result);
      if (result.status !== 200) await sleep(100);
    }
  }
  const done = Promise.all(Array.from({ length: options.clients }, opener));
  return {
    results,
    async stop() {
      stopping = true;
      await done;
    },
  };
}

/** `{"200":40,"503":12,"ECONNREFUSED":3}`: what the respondents got, for failure messages. */
export function summarize(results: readonly HttpResult[]): string {
  const counts: Record<string, number> = {};
  for (const result of results) {
    const key = result.status === 0 ? (result.error ?? 'no response') : String(result.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return JSON.stringify(counts);
}

export interface StoredResponse {
  invitationId: string;
  responseId: string;
  status: string;
  /** `criterionId/dimension` → scores stored for it (more than one would be a duplicate). */
  answers: Map<string, Array<number | null>>;
}

/** Every response of the wave as stored, with its answers grouped by criterion and dimension. */
export async function storedResponses(db: Kysely<Database>, wave: OpenWave): Promise<StoredResponse[]> {
  const responses = await db
    .selectFrom('responses')
    .select(['id', 'invitation_id', 'status'])
    .where('organization_id', '=', wave.organizationId)
    .where('survey_id', '=', wave.surveyId)
    .execute();
  const answers = await db
    .selectFrom('answers')
    .select(['response_id', 'survey_criterion_id', 'dimension', 'score'])
    .where('organization_id', '=', wave.organizationId)
    .where('survey_id', '=', wave.surveyId)
    .execute();
  const byResponse = new Map<string, StoredResponse>();
  const stored = responses.map((response) => {
    const entry: StoredResponse = {
      invitationId: response.invitation_id,
      responseId: response.id,
      status: response.status,
      answers: new Map(),
    };
    byResponse.set(response.id, entry);
    return entry;
  });
  for (const answer of answers) {
    const entry = byResponse.get(answer.response_id);
    if (!entry) continue;
    const key = `${answer.survey_criterion_id}/${answer.dimension}`;
    entry.answers.set(key, [...(entry.answers.get(key) ?? []), answer.score]);
  }
  return stored;
}

/**
 * What is wrong with how an invitation's submission is stored: not there, there twice, not submitted,
 * an answer missing, doubled or different from what was sent. Empty when it is stored exactly once.
 */
export function storageProblems(stored: readonly StoredResponse[], invitation: Invitation): string[] {
  const rows = stored.filter((response) => response.invitationId === invitation.id);
  if (rows.length !== 1) return [`${invitation.id}: ${rows.length} responses`];
  const [response] = rows as [StoredResponse];
  const problems: string[] = [];
  if (response.status !== 'submitted') problems.push(`${invitation.id}: status ${response.status}`);
  const expected = new Map<string, number>();
  for (const answer of invitation.answers) {
    expected.set(`${answer.criterionId}/importance`, answer.importance);
    expected.set(`${answer.criterionId}/performance`, answer.performance);
  }
  for (const [key, score] of expected) {
    const scores = response.answers.get(key) ?? [];
    if (scores.length !== 1 || scores[0] !== score) {
      problems.push(`${invitation.id}: ${key} stored as ${JSON.stringify(scores)}, sent ${score}`);
    }
  }
  for (const key of response.answers.keys()) {
    if (!expected.has(key)) problems.push(`${invitation.id}: unexpected answer ${key}`);
  }
  return problems;
}

/**
 * What a 5xx body must never show: connection errors, hosts and ports, stack frames, driver messages.
 * Returns the pieces found.
 */
export function internalsIn(body: string, ports: readonly number[]): string[] {
  const patterns = [
    /\bE(CONN|HOST|PIPE|ADDR|NOTFOUND|TIMEDOUT|AI_)\w*/, // ECONNREFUSED, ECONNRESET, EPIPE …
    /127\.0\.0\.1|localhost/i,
    /\bat .+:\d+:\d+/, // a stack frame
    /\bstack\b/i,
    /postgres|pg_|\bsql\b|terminat|connection|client/i,
    /\.(ts|js)\b/,
    ...ports.map((port) => new RegExp(`\\b${port}\\b`)),
  ];
  return patterns.flatMap((pattern) => {
    const match = pattern.exec(body);
    return match ? [match[0]] : [];
  });
}

/** The documented 503: `{"error":{"code":"UNAVAILABLE","message":…}}` and nothing that reveals internals. */
export function unavailableProblems(result: HttpResult, ports: readonly number[]): string[] {
  const problems: string[] = [];
  if (result.status !== 503) problems.push(`status ${result.status || result.error}`);
  let code: unknown;
  try {
    code = JSON.parse(result.body)?.error?.code;
  } catch {
    code = undefined;
  }
  if (code !== 'UNAVAILABLE') problems.push(`body ${result.body.slice(0, 300)}`);
  const leaked = internalsIn(result.body, ports);
  if (leaked.length > 0) problems.push(`internals ${JSON.stringify(leaked)} in ${result.body.slice(0, 300)}`);
  return problems;
}
