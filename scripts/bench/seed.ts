// The bench's data: one organisation, 300 accounts, and waves of submitted respondents seeded with
// generate_series. Respondent tokens are derived like the app derives them (HMAC of a salt with the link key
// from SESSION_SECRET), so the bench knows the links of the invitations it will open and submit.
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../server/db/database.js';
import { insertApiKey } from '../../server/features/auth/auth.queries.js';
import { createOrganization } from '../../server/features/auth/organizations.service.js';
import { hashToken, linkKey, tokenFor } from '../../server/features/surveys/invitation-links.js';

export const ACCOUNTS = 300;

export interface Organization {
  organizationId: string;
  userId: string;
  apiKey: string;
}

export async function seedOrganization(db: Kysely<Database>): Promise<Organization> {
  const { organizationId, userId } = await createOrganization(db, {
    organizationName: 'Bench AS',
    name: 'Bench Admin',
    email: 'bench@example.no',
    password: 'bench password 123',
  });
  const { key } = await insertApiKey(db, organizationId, userId, 'bench');
  await sql`
    insert into accounts (organization_id, name, segment, kam_user_id)
    select ${organizationId}::uuid, 'Account ' || g, (array['A','B','C'])[1 + g % 3],
           case when g % 2 = 0 then ${userId}::uuid end
    from generate_series(1, ${ACCOUNTS}) g`.execute(db);
  return { organizationId, userId, apiKey: key };
}

/** An open wave with the organisation's 13 criteria; its respondents are seeded separately. */
export async function createWave(db: Kysely<Database>, org: Organization, name: string): Promise<string> {
  const { id } = await db
    .insertInto('surveys')
    .values({ organization_id: org.organizationId, name, status: 'open', opened_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`
    insert into survey_criteria (organization_id, survey_id, key, label_nb, label_en, audience, position)
    select organization_id, ${id}::uuid, key, label_nb, label_en, audience, position
    from criteria where organization_id = ${org.organizationId}::uuid`.execute(db);
  return id;
}

/** Deterministic salts, so the same run can rebuild every token; `tag` keeps the waves' salts apart. */
function saltOf(tag: string, n: number): Buffer {
  return createHash('md5').update(`${tag}:${n}`).digest();
}

/**
 * Inserts `count` invitations (customers over the accounts, the last tenth sellers unless `customersOnly`)
 * and returns their tokens. With `respond`, every one has submitted a complete response, one in ten with a
 * comment and one rating in twenty "don't know".
 */
export async function seedRespondents(
  db: Kysely<Database>,
  org: Organization,
  surveyId: string,
  options: {
    count: number;
    tag: string;
    sessionSecret: string;
    respond: boolean;
    customersOnly?: boolean;
    withTokens?: boolean;
  },
): Promise<string[]> {
  const { count, tag } = options;
  const customers = options.customersOnly ? count : count - Math.round(count / 10);
  const key = linkKey(options.sessionSecret);
  const tokens: string[] = [];
  const salts: string[] = [];
  const hashes: string[] = [];
  for (let n = 1; n <= count; n++) {
    const salt = saltOf(tag, n);
    const token = tokenFor(key, salt);
    if (options.withTokens !== false) tokens.push(token);
    salts.push(salt.toString('hex'));
    hashes.push(hashToken(token).toString('hex'));
  }
  await sql`
    insert into invitations (organization_id, survey_id, role, email, language, account_id, token_salt, token_hash)
    select ${org.organizationId}::uuid, ${surveyId}::uuid,
           case when t.n <= ${customers} then 'customer' else 'seller' end,
           ${tag} || '-' || t.n || '@example.no', 'nb',
           case when t.n <= ${customers} then a.ids[1 + t.n % ${ACCOUNTS}] end,
           decode(t.salt, 'hex'), decode(t.hash, 'hex')
    from unnest(${salts}::text[], ${hashes}::text[]) with ordinality t(salt, hash, n),
         (select array_agg(id order by name) ids from accounts where organization_id = ${org.organizationId}::uuid) a
    `.execute(db);
  if (!options.respond) return tokens;
  await sql`
    insert into responses (organization_id, survey_id, invitation_id, role, account_id, status, comment, submitted_at,
                           overall_answered, overall_score)
    select organization_id, survey_id, id, role, account_id, 'submitted',
           case when random() < 0.1 then 'Kommentar fra ' || email end, now(),
           role = 'customer', case when role = 'customer' and random() >= 0.05 then 1 + floor(random() * 10)::int end
    from invitations where survey_id = ${surveyId}::uuid`.execute(db);
  await sql`
    insert into answers (organization_id, survey_id, response_id, role, survey_criterion_id, audience, dimension, score,
                         response_status, account_id)
    select r.organization_id, r.survey_id, r.id, r.role, sc.id, sc.audience, d.dimension,
           case when random() < 0.05 then null else 1 + floor(random() * 10)::int end, r.status, r.account_id
    from responses r
    join survey_criteria sc on sc.organization_id = r.organization_id and sc.survey_id = r.survey_id
      and (r.role = 'seller' or sc.audience = 'both')
    cross join (values ('importance'), ('performance')) d(dimension)
    where r.survey_id = ${surveyId}::uuid and (d.dimension = 'importance' or r.role = 'customer')`.execute(
    db,
  );
  return tokens;
}
